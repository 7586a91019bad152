"""Identity verification (docs/requirements.md, rules 7-9): who is this, and how freshly proven.

The ``verification_form`` asks, in order, for

1. the registered mobile number (``verify_phone``; the slot only ever holds
   it masked, ``138****8000``),
2. the last four characters of the ID number (``verify_id_last4``; checked at
   once, the slot holds ``"provided"``, never the digits),
3. a 6-digit one-time code (``verify_code``), sent by SMS to the number *if*
   the number is registered and the ID digits match it. Otherwise nothing is
   sent and the reply is word for word the same, so the customer never learns
   which fact was wrong, nor whether a number is registered; the failure
   shows at the code step like a wrong code.

The code never reaches the engine: the gateway swaps the digits the customer
types for ``/submit_code{"code_digest": …}`` (see :mod:`common.codes`), and the
ask for the code carries ``{"expect": "otp"}`` so the gateway knows to do so.
Codes come from :mod:`secrets`, expire (5 min), can be re-sent after 60 s
("重新发送" / "resend"), and wrong codes count: three in a conversation lock
every phone number tried for 15 minutes (in the core bank, so a new chat
does not reset them) and hand the conversation to a human
(``verification_failed``, ``high``).

``reverify_form`` is the second, fresh verification before a high-risk
operation (rule 8): a code to the verified customer's own phone.

The verified state belongs to this conversation only: the slots
``verified_customer_id`` / ``verified_at`` / ``customer_name`` for the
dialogue, and the core bank's record of the conversation's last successful
challenge as the source of truth (:func:`~actions.verification.identity.verified_customer`).

* :mod:`~actions.verification.slots` — the forms' names and slots;
* :mod:`~actions.verification.identity` — who this conversation proved to be;
* :mod:`~actions.verification.gate` — the one gate every account and card action passes;
* :mod:`~actions.verification.flow` — starting a verification, and abandoning one;
* :mod:`~actions.verification.codes` — codes: hashing, sending, housekeeping;
* :mod:`~actions.verification.forms` — the forms' slot extraction and checks;
* :mod:`~actions.verification.controls` — resend and cancel.

What happens once a form ends (greeting the customer, doing what they asked)
is :mod:`actions.resume`.
"""
