"""Fake but plausible personal data (names, e-mail addresses) for PII columns.

The contract marks manager and customer e-mails as PII so masking can be tested; the addresses
must look real enough to need masking yet be unmistakably fake (``example.*`` domains, RFC 2606).
"""

from __future__ import annotations

import numpy as np

FIRST = (
    "anna",
    "ben",
    "clara",
    "david",
    "elena",
    "felix",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "karla",
    "luca",
    "marta",
    "nils",
    "olga",
    "paul",
    "rosa",
    "sven",
    "tessa",
    "viktor",
    "wiebke",
    "yusuf",
    "zofia",
    "marek",
    "chiara",
    "pierre",
    "lena",
    "tomasz",
    "sofia",
    "emil",
)
LAST = (
    "schmidt",
    "rossi",
    "kowalski",
    "martin",
    "jansen",
    "novak",
    "weber",
    "bianchi",
    "dubois",
    "nowak",
    "fischer",
    "romano",
    "bernard",
    "wojcik",
    "meyer",
    "ricci",
    "moreau",
    "lewandowski",
    "wagner",
    "greco",
    "laurent",
    "kaminski",
    "becker",
    "conti",
    "lefevre",
    "peters",
    "esposito",
    "garnier",
    "hoffmann",
    "zielinski",
)
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "shop.example.org")


def person_emails(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct local parts like ``anna.schmidt7`` (domain added by the caller)."""
    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    return [
        f"{FIRST[f]}.{LAST[g]}{i + 1}" for i, (f, g) in enumerate(zip(first, last, strict=True))
    ]


def customer_pool(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Customer ids ``C000001``.. and their e-mail addresses (one address per customer)."""
    ids = [f"C{i + 1:06d}" for i in range(n)]
    local = person_emails(rng, n)
    domain = rng.integers(0, len(DOMAINS), n)
    return ids, [f"{p}@{DOMAINS[d]}" for p, d in zip(local, domain, strict=True)]
