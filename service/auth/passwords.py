"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.errors import ValidationFailed

# argon2id with the library's recommended parameters (RFC 9106 low-memory profile), and the same
# algorithm at its smallest cost for test runs only (Settings refuses it elsewhere).
PROFILES = {"standard": PasswordHasher(),
            "test-only-fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)}
_DUMMY_PASSWORD = "timing-equalizer-not-a-password"
_hasher = PROFILES["standard"]
_DUMMY = _hasher.hash(_DUMMY_PASSWORD)
# How many argon2 verifications this process ran: lets a test see that a sign-in with an
# unknown name pays for one exactly like a wrong password does (timings are not asserted).
verifications = 0


def configure(profile: str) -> None:
    """Hash new passwords with this cost profile (stored hashes keep verifying: they carry theirs)."""
    global _hasher, _DUMMY
    if PROFILES[profile] is not _hasher:
        _hasher = PROFILES[profile]
        # An unknown user's sign-in must cost what a real account's does under this profile.
        _DUMMY = _hasher.hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same time when the user does not exist (dummy hash)."""
    global verifications
    verifications += 1
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def policy_problems(password: str, username: str) -> list[str]:
    """What makes a password too weak (none: it passes): at least 10 characters, three character
    classes, not containing the username."""
    classes = sum([
        any(c.islower() for c in password), any(c.isupper() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ])
    problems = []
    if len(password) < 10:
        problems.append("至少10个字符")
    if classes < 3:
        problems.append("须包含大写字母、小写字母、数字、符号中的至少三类")
    if username.lower() in password.lower():
        problems.append("不能包含用户名")
    return problems


def refuse(problems: list[str], *, field: str) -> None:
    """Refuse a password with its problems, each filed under the request field it was typed in."""
    if problems:
        raise ValidationFailed(
            "密码不符合安全要求：" + "；".join(problems),
            errors=[{"field": field, "message": m} for m in problems],
        )


def check_policy(password: str, username: str, *, field: str = "password") -> None:
    """Refuse weak passwords (see `policy_problems`), filed under `field`."""
    refuse(policy_problems(password, username), field=field)
