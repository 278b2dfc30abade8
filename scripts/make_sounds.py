"""Regenerate resources/sounds/*.wav: short, distinct tones for scan ok / scan error / done."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
SOUNDS = {
    "scan-ok": [(1760.0, 0.07)],
    "scan-error": [(330.0, 0.16), (0.0, 0.05), (330.0, 0.22)],
    "complete": [(1319.0, 0.08), (1760.0, 0.08), (2093.0, 0.14)],
    # The camera accepted a code by itself: a rising chirp, unlike the handheld scanner's beep.
    "camera-accept": [(988.0, 0.05), (1480.0, 0.07)],
}


def tone(frequency: float, seconds: float) -> bytes:
    count = int(RATE * seconds)
    frames = bytearray()
    for i in range(count):
        fade = min(1.0, i / 200, (count - i) / 200)  # no clicks at the edges
        value = 0.45 * fade * math.sin(2 * math.pi * frequency * i / RATE) if frequency else 0.0
        frames += struct.pack("<h", int(value * 32767))
    return bytes(frames)


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "resources" / "sounds"
    out.mkdir(parents=True, exist_ok=True)
    for name, notes in SOUNDS.items():
        with wave.open(str(out / f"{name}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(b"".join(tone(f, s) for f, s in notes))


if __name__ == "__main__":
    main()
