"""Password hashing at OWASP ASVS strength (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from inspect_loop.errors import InvalidInput

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4), above the ASVS floor.
_hasher = PasswordHasher()
MIN_LENGTH = 10
# The most common passwords of Chinese leak lists and their usual variants; refused outright.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "1234512345", "1qaz2wsx3edc",
    "qwertyuiop", "password123", "password12", "a123456789", "aa12345678", "woaini1314", "woaini520",
    "abc1234567", "iloveyou12", "5201314520", "1314520520", "admin12345", "admin123456", "qwer123456",
    "asdfghjkl1", "zxcvbnm123", "1q2w3e4r5t", "p@ssw0rd12", "passw0rd12", "abcd123456", "123456789a",
    "123456789q", "q123456789", "asd1234567", "pingan1234", "pinganban1",
})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "密码过于常见，请换一个"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    return None


def validate_password(password: str, username: str = "") -> None:
    problem = password_problem(password, username)
    if problem:
        raise InvalidInput(problem, "the password is too weak", field="password")
