"""Personal identity numbers at rest: a keyed hash to find a person by, beside the number encrypted."""

from .personal_numbers import decrypt_number, encrypt_number, keyed_hash, number_hash, protect

__all__ = ["decrypt_number", "encrypt_number", "keyed_hash", "number_hash", "protect"]
