"""Customer rows: unique phone numbers and resident IDs, and the row itself."""

from __future__ import annotations

from datetime import date

from corebank.demo.numbers import MOBILE_PREFIXES, id_checksum
from corebank.demo.state import Batch, DemoState


class CustomerRows(DemoState):
    """Makes customers: identities no one else has."""

    def phone(self) -> str:
        """A unique 11-digit mobile number (never a named customer's)."""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self, region: str, dob: date) -> str:
        """A unique 18-character resident ID with a valid check character."""
        while True:
            first17 = f"{region}{dob:%Y%m%d}{self.rng.randrange(1, 1000):03d}"
            number = first17 + id_checksum(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def add_customer(
        self, batch: Batch, *, name: str, phone: str, id_number: str, lang: str, dob: date
    ) -> int:
        """Append a customer row; return its id."""
        cid = self.next_customer
        self.next_customer += 1
        batch.customers.append(
            {
                "id": cid,
                "name": name,
                "phone": phone,
                "id_number": id_number,
                "id_last4": id_number[-4:],
                "language": lang,
                "date_of_birth": dob,
            }
        )
        return cid
