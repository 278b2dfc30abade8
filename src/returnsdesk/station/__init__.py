"""The station's workflow without Qt: inputs in, a typed screen and the work to run out."""
