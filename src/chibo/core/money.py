"""Money: amounts as ``Decimal`` in a currency's minor unit (ISO 4217), never floats.

    quantize(Decimal("12.345"), "EUR") → Decimal("12.35")   (half up, the rounding the ledger states)
    quantize(Decimal("1234.5"), "VND") → Decimal("1235")

The list of currencies is pycountry's ISO 4217 table; the number of minor digits (the table's "E" column) is
kept here for the currencies whose minor unit is not the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from django.utils.translation import gettext as _

ROUNDING = ROUND_HALF_UP

# ISO 4217 minor units other than 2.
MINOR_DIGITS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

# Currency of the host country, to suggest on a unit's dues profiles (the treasurer can pick any).
COUNTRY_CURRENCY: dict[str, str] = {
    **dict.fromkeys(["AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
                     "MT", "NL", "PT", "SI", "SK"], "EUR"),
    "AE": "AED", "AO": "AOA", "AR": "ARS", "AU": "AUD", "BD": "BDT", "BG": "BGN", "BN": "BND", "BR": "BRL",
    "BY": "BYN", "CA": "CAD", "CH": "CHF", "CL": "CLP", "CN": "CNY", "CU": "CUP", "CZ": "CZK", "DK": "DKK",
    "DZ": "DZD", "EG": "EGP", "GB": "GBP", "HK": "HKD", "HU": "HUF", "ID": "IDR", "IL": "ILS", "IN": "INR",
    "IQ": "IQD", "IR": "IRR", "JP": "JPY", "KH": "KHR", "KP": "KPW", "KR": "KRW", "KW": "KWD", "KZ": "KZT",
    "LA": "LAK", "LK": "LKR", "MA": "MAD", "MM": "MMK", "MN": "MNT", "MX": "MXN", "MY": "MYR", "MZ": "MZN",
    "NG": "NGN", "NO": "NOK", "NZ": "NZD", "PH": "PHP", "PK": "PKR", "PL": "PLN", "QA": "QAR", "RO": "RON",
    "RU": "RUB", "SA": "SAR", "SE": "SEK", "SG": "SGD", "TH": "THB", "TR": "TRY", "TW": "TWD", "TZ": "TZS",
    "UA": "UAH", "US": "USD", "UY": "UYU", "UZ": "UZS", "VE": "VES", "VN": "VND", "ZA": "ZAR",
}


def is_currency(code: str) -> bool:
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def currency_name(code: str) -> str:
    found = pycountry.currencies.get(alpha_3=code)
    return found.name if found is not None else code


def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)


def minor_digits(code: str) -> int:
    return MINOR_DIGITS.get(code, 2)


def quantize(amount: Decimal, code: str) -> Decimal:
    """``amount`` rounded to the currency's minor unit (ROUNDING)."""
    return amount.quantize(Decimal(1).scaleb(-minor_digits(code)), rounding=ROUNDING)


def parse_amount(text: str | Decimal | int, code: str) -> Decimal:
    """A user's amount ("12,50", "1.234.000" for VND, "12.5") as a Decimal in the currency's minor unit;
    ValueError with a sentence when it is not a number or has more digits than the currency has."""
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
        digits = minor_digits(code)
        if digits == 0:
            raw = raw.replace(".", "").replace(",", "")  # VND, JPY: dots and commas group thousands
        elif "," in raw and "." in raw:
            raw = raw.replace(".", "").replace(",", ".") if raw.rfind(",") > raw.rfind(".") else raw.replace(",", "")
        else:
            raw = raw.replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ValueError(_("«%(text)s» không phải một số tiền.") % {"text": text}) from exc
    if not value.is_finite():
        raise ValueError(_("«%(text)s» không phải một số tiền.") % {"text": text})
    if value != quantize(value, code):
        raise ValueError(_("%(code)s chỉ có %(digits)s chữ số sau dấu phẩy.")
                           % {"code": code, "digits": minor_digits(code)})
    return quantize(value, code)


def format_amount(amount: Decimal | None, code: str = "") -> str:
    """As a Vietnamese reader writes it: 1.234.000 VND, 12,50 EUR."""
    if amount is None:
        return ""
    digits = minor_digits(code) if code else 2
    value = quantize(Decimal(amount), code) if code else Decimal(amount)
    sign = "-" if value < 0 else ""
    whole, _sep, frac = f"{abs(value):.{digits}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    text = sign + grouped + ("," + frac if frac else "")
    return f"{text} {code}".strip()
