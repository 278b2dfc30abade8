"""Messages to the customer about their return: what is queued, rendered, sent, and resent.

``queue`` writes them as outbox events in the transaction of the step they report; ``render``
turns one into text and HTML in the customer's language; ``deliver`` sends it through the
order system or SMTP from the relay; ``ledger`` lists them for a shift lead and resends.
"""
