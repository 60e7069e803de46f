"""chibo settings: one file, typed environment helpers, SQLite by default.

Environments (``CHIBO_ENV``):
- ``dev`` (what ``make run`` sets): DEBUG, console e-mail, a fixed development key;
- ``test`` (what the test suite sets): like dev, fast password hashing;
- ``production`` (the default when unset): every secret must come from the environment and
  ``chibo check --deploy`` passes with no warnings.

``DATABASE_URL`` switches the database: ``sqlite:///path/to/db.sqlite3`` (default
``var/chibo.sqlite3`` in the checkout) or ``postgres://user:password@host:port/name``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CHIBO_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``sqlite:///…`` or ``postgres://…`` into a Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3
        path = unquote(parsed.path)[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or str(VAR_DIR / "chibo.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": None},
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "chibo",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("CHIBO_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # PostgreSQL's JIT compiles a plan costed above jit_above_cost to machine code first: for the counts over
            # a large subtree (statistics, roll-ups) compiling took seconds where running takes milliseconds, and no
            # query of this application runs long enough to gain from it.
            "OPTIONS": {"options": "-c jit=off"},
            "TEST": {"NAME": os.environ.get("CHIBO_TEST_DB_NAME") or None},
        }
    raise ValueError(f"DATABASE_URL scheme not supported: {parsed.scheme!r}")


CHIBO_ENV = env_str("CHIBO_ENV", "production")
if CHIBO_ENV not in {"dev", "test", "production"}:
    raise ValueError("CHIBO_ENV must be dev, test or production")
PRODUCTION = CHIBO_ENV == "production"

DEBUG = env_bool("CHIBO_DEBUG", CHIBO_ENV == "dev")

_DEV_SECRET = "chibo-development-key-not-for-production-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_str("CHIBO_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ValueError("CHIBO_SECRET_KEY must be set (50+ random characters) in production")

ALLOWED_HOSTS = env_list("CHIBO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CHIBO_CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chibo.sqlite3'}"))}
# PostgreSQL streaming replicas for the reads of pages and API (core/replicas.py): comma-separated URLs, as
# DATABASE_URL. A replica is used only while it is up and within CHIBO_REPLICA_MAX_LAG_BYTES of the primary; a client
# that just wrote reads its own write (its cookie holds the primary's WAL position for CHIBO_REPLICA_STICKY_SECONDS).
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = database_from_url(_url)
    if _replica["ENGINE"] != "django.db.backends.postgresql" or DATABASES["default"]["ENGINE"] != _replica["ENGINE"]:
        raise ValueError("DATABASE_REPLICA_URLS: replicas are PostgreSQL streaming replicas of a PostgreSQL primary")
    _replica["OPTIONS"] = {**_replica["OPTIONS"], "connect_timeout": 2}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_n}"] = _replica
DATABASE_ROUTERS = ["chibo.core.replicas.ReplicaRouter"] if len(DATABASES) > 1 else []
CHIBO_REPLICA_MAX_LAG_BYTES = env_int("CHIBO_REPLICA_MAX_LAG_BYTES", 16 * 1024 * 1024)
CHIBO_REPLICA_STICKY_SECONDS = env_int("CHIBO_REPLICA_STICKY_SECONDS", 300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "chibo.core",
    "chibo.accounts",
    "chibo.units",
    "chibo.members",
    "chibo.admission",
    "chibo.deadlines",
    "chibo.notifications",
    "chibo.bulk",
    "chibo.meetings",
    "chibo.transfers",
    "chibo.dues",
    "chibo.discipline",
    "chibo.inspection",
    "chibo.library",
    "chibo.study",
    "chibo.grading",
    "chibo.privacy",
    "chibo.programs",
    "chibo.rules",
    "chibo.home",
    "chibo.stats",
    "chibo.reports",
    "chibo.demo",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "chibo.core.replicas.ReplicaReadsMiddleware",
    "chibo.core.middleware.ApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chibo.core.middleware.RequestContextMiddleware",
    "chibo.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "chibo.accounts.middleware.RequireMFAMiddleware",
    "chibo.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "chibo.core.middleware.StrictQueryMiddleware",
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chibo.core.context_processors.chibo",
                "chibo.notifications.context_processors.bell",
                "chibo.inspection.context_processors.nav",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Accounts, MFA, throttling -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if CHIBO_ENV == "test"
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chibo.accounts.passwords.GuessableWordsValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "chibo.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A reset asked for an address no account has gets no mail at all (allauth would send one inviting to sign
# up, and sign-up is closed: accounts are issued by the organization).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "chibo"
# One 30-second step either side is accepted (RFC 6238 §5.2): a code read off a phone just before the step turns,
# or a phone clock a few seconds off, still works; allauth refuses a code that was already used.
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {"activate_totp": "chibo.accounts.forms.ActivateTOTPForm"}  # the code field opens a number keypad
# Accounts are issued by the organization, not self-registered: e-mail verification is no gate for
# MFA (otherwise anyone typing a staff e-mail into the reset form would block that staff's MFA set-up).
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_ADAPTER = "chibo.accounts.adapter.MFAAdapter"
# Every session is listed on its holder's account page (where they can end it) and ended when the
# account is locked.
USERSESSIONS_TRACK_ACTIVITY = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): the client's address
# for throttling, axes, allauth and the audit log comes from chibo.core.request_context.client_ip.
# A file outside the database (another mount or host) to which the sweep appends the audit chain's head;
# `chibo audit verify` checks against it by default.
CHIBO_AUDIT_ANCHORS = env_str("CHIBO_AUDIT_ANCHORS", "")
# Milliseconds: a process's audited writes leave the sealing of their rows to the process's sealer thread, which
# seals at most once per this time (chibo.core.audit), instead of sealing after each commit. 0 seals after every
# commit (the test suite, so that a test reads its rows sealed).
CHIBO_AUDIT_SEAL_MS = env_int("CHIBO_AUDIT_SEAL_MS", 0 if CHIBO_ENV == "test" else 200)
# The install runs on an isolated LAN (no connection to any other network): only then may the register of classified
# documents keep their files (Law 117/2025/QH15; docs/domain.md, "Tài liệu mật"). Off on a networked install.
CHIBO_ISOLATED_LAN = env_bool("CHIBO_ISOLATED_LAN", False)
# base64 of 32 random bytes: the key of `chibo backup` and `chibo restore` (kept apart from the backups).
CHIBO_BACKUP_KEY = env_str("CHIBO_BACKUP_KEY", "")
CHIBO_TRUSTED_PROXIES = env_list("CHIBO_TRUSTED_PROXIES")
for _proxy in CHIBO_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"CHIBO_TRUSTED_PROXIES: {_proxy!r} is not an address or a network") from _exc
AXES_CLIENT_IP_CALLABLE = "chibo.core.request_context.client_ip"
AXES_FAILURE_LIMIT = env_int("CHIBO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Keyed on username *and* IP: an attacker elsewhere cannot lock a victim out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "login"
# allauth passes the name as credentials["username"]: without this axes saw no username at all and
# its username+IP lock silently degraded to an IP-only count.
AXES_USERNAME_CALLABLE = "chibo.accounts.adapter.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("CHIBO_AXES_ENABLED", True)
# Wrong passwords and wrong second-factor codes (allauth counts both under "login_failed"): 10 a minute per
# client address, and 30 an hour per account, so that guessing spread over many addresses is capped too.
# allauth's default per-account limit (5 in 5 minutes) would let a stranger keep a victim out; 30 an hour is
# far above a person's typing errors and far below what guessing needs. axes locks username+address pairs.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,30/h/key"}

# Sessions: idle timeout (cookie age renewed on each request) and an absolute limit.
SESSION_COOKIE_AGE = env_int("CHIBO_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CHIBO_SESSION_ABSOLUTE_SECONDS = env_int("CHIBO_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CHIBO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Field encryption (AES-256-GCM) and blind index -------------------------------------------
# CHIBO_FIELD_KEYS: "id1:base64key,id2:base64key"; the first is used for new writes, all decrypt.
_DEV_FIELD_KEY = base64.urlsafe_b64encode(b"chibo-dev-field-key-32-bytes-!!!").decode()
_DEV_INDEX_KEY = base64.urlsafe_b64encode(b"chibo-dev-blind-index-key-32byte").decode()
CHIBO_FIELD_KEYS = env_str("CHIBO_FIELD_KEYS", "" if PRODUCTION else f"dev1:{_DEV_FIELD_KEY}")
CHIBO_BLIND_INDEX_KEY = env_str("CHIBO_BLIND_INDEX_KEY", "" if PRODUCTION else _DEV_INDEX_KEY)
if PRODUCTION and (not CHIBO_FIELD_KEYS or not CHIBO_BLIND_INDEX_KEY):
    raise ValueError("CHIBO_FIELD_KEYS and CHIBO_BLIND_INDEX_KEY must be set in production")

# --- Internationalization --------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [Path(env_str("CHIBO_LOCALE_DIR", str(BASE_DIR / "locale")))]  # another catalog, to try a translation
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["chibo.formats"]

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
# Outside production the finders serve assets; no collected directory is needed (or warned about).
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "CHIBO_EMAIL_BACKEND",
    # Outside production mail goes to files under var/mail (one per message), not to the terminal.
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_HOST = env_str("CHIBO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CHIBO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CHIBO_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("CHIBO_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("CHIBO_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("CHIBO_EMAIL_FROM", "chibo@localhost")
# Directory of django.core.mail.backends.filebased.EmailBackend (tests, mail-less staging).
EMAIL_FILE_PATH = env_str("CHIBO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Cache (TOTP replay protection must be shared by every web process) ----------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if CHIBO_ENV == "test"
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}

# Absolute links in e-mails.
CHIBO_SITE_URL = env_str("CHIBO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reminder days before the due date, per deadline kind (JSON), e.g. {"probation.confirmation": [14, 3]}.
CHIBO_REMINDER_DAYS = json.loads(env_str("CHIBO_REMINDER_DAYS", "{}") or "{}")

# Outbox (every message the product sends): first retry of a failed e-mail after this many seconds
# (then ×4 each time, capped at 6 h), the attempts before giving up, and how long a handed-over message
# may stay unsent before the sweep hands it over again (lost task). The CHIBO_REMINDER_* names of the
# first two still work.
CHIBO_OUTBOX_BACKOFF_SECONDS = env_int("CHIBO_OUTBOX_BACKOFF_SECONDS", env_int("CHIBO_REMINDER_BACKOFF_SECONDS", 60))
CHIBO_OUTBOX_STALE_SECONDS = env_int("CHIBO_OUTBOX_STALE_SECONDS", env_int("CHIBO_REMINDER_STALE_SECONDS", 600))
CHIBO_OUTBOX_MAX_ATTEMPTS = env_int("CHIBO_OUTBOX_MAX_ATTEMPTS", 5)
# A fixed "today" for business rules (tests, demos of a moved clock); refused in production.
CHIBO_TODAY = date.fromisoformat(env_str("CHIBO_TODAY")) if env_str("CHIBO_TODAY") else None
if PRODUCTION and CHIBO_TODAY:
    raise ValueError("CHIBO_TODAY is for tests and demos only")

# --- Background tasks (django-tasks, database backend) ---------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chibo.accounts.api_auth.HashedTokenAuthentication",
        "chibo.accounts.api_auth.MFASessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "chibo.core.schema.ChiboAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["chibo.core.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "chibo.core.api.exception_handler",
    "DATE_INPUT_FORMATS": ["iso-8601", "%d/%m/%Y"],
    # Per account (user) and per client address (anon); the suite drives thousands of requests a minute.
    "DEFAULT_THROTTLE_CLASSES": ["chibo.core.throttles.AddressRateThrottle",
                                 "chibo.core.throttles.AccountRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("CHIBO_API_USER_RATE", "100000/min" if CHIBO_ENV == "test"
                                               else "600/min"),
                               "anon": env_str("CHIBO_API_ANON_RATE", "100000/min" if CHIBO_ENV == "test"
                                               else "60/min"),
                               # wrong or revoked API tokens, per client address
                               "bad_token": env_str("CHIBO_API_BAD_TOKEN_RATE", "100000/min" if CHIBO_ENV == "test"
                                                    else "20/min"),
                               # activation links posted to the API, per client address
                               "activation": env_str("CHIBO_ACTIVATION_RATE", "1000/min" if CHIBO_ENV == "test"
                                                     else "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "chibo API",
    "DESCRIPTION": "Organization tree and member records of a party organization abroad.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # The schema documents an internal API (ASVS 13.4.5): only for signed-in users and token holders.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "chibo.members.models.Status",
        "NewMemberStatusEnum": [("probationary", "Dự bị"), ("full", "Chính thức")],
        "TransferKindEnum": "chibo.transfers.models.Kind",
        "TransferStateEnum": "chibo.transfers.models.State",
        "UnitKindEnum": "chibo.units.models.UnitKind",
        "MeetingKindEnum": "chibo.meetings.models.MeetingKind",
        "MeetingStateEnum": "chibo.meetings.models.MeetingState",
        "BallotStateEnum": "chibo.meetings.models.BoxState",
        "TransferRequestKindEnum": "chibo.transfers.api.REQUEST_KINDS",
        "DeclarationKindEnum": "chibo.transfers.models.DeclarationKind",
        "HoldKindEnum": "chibo.transfers.models.HoldKind",
        "OrganizationKindEnum": "chibo.transfers.models.OrgKind",
        "DelegationMemberRoleEnum": "chibo.transfers.models.DelegationRole",
        "AccountKindEnum": "chibo.accounts.enums.AccountKind",
        "InvitationStateEnum": "chibo.accounts.enums.InvitationState",
        "RoleEnum": "chibo.core.access.Role.CHOICES",
        "OfficerRoleEnum": "chibo.accounts.forms.OFFICER_ROLE_CHOICES",
        "DuesDecisionKindEnum": "chibo.dues.enums.DecisionKind",
        "DuesEntryKindEnum": "chibo.dues.enums.EntryKind",
        "DuesMethodEnum": "chibo.dues.enums.Method",
        "DuesTransferMethodEnum": [("bank", "Chuyển khoản"), ("portal", "Cổng dịch vụ công")],
        "MemberCategoryEnum": "chibo.members.enums.Category",
        "LetterFormEnum": "chibo.transfers.models.Form",
        "GradeEnum": "chibo.grading.enums.Grade",
        "DisciplineFormEnum": "chibo.discipline.enums.Form",
        "DisciplineAreaEnum": "chibo.discipline.enums.Area",
        "DisciplineCaseStateEnum": "chibo.discipline.enums.CaseState",
        "ReportStateEnum": "chibo.reports.enums.State",
        "DisciplineOutcomeEnum": "chibo.discipline.enums.Outcome",
        "DisciplineStateFormEnum": "chibo.discipline.enums.StateForm",
        "DisciplineNoticeStateEnum": "chibo.discipline.enums.NoticeState",
        "AnonymisedPersonKindEnum": "chibo.privacy.enums.PersonKind",
        "InspectionPlanKindEnum": "chibo.inspection.enums.Kind",
        "InspectionItemStateEnum": "chibo.inspection.enums.ItemState",
        "InspectionCaseStateEnum": "chibo.inspection.enums.CaseState",
        "ProgramItemStateEnum": "chibo.programs.enums.ItemState",
        "ProposalStateEnum": "chibo.programs.enums.ProposalState",
        "LibraryDocumentKindEnum": "chibo.library.enums.DocKind",
        "ClassifiedLevelEnum": "chibo.library.enums.Level",
        "PrivacyRequestKindEnum": "chibo.privacy.enums.RequestKind",
        "StudyCertificateKindEnum": "chibo.study.enums.CertificateKind",
        "StudyPresenceEnum": "chibo.study.enums.Presence",
        "PresenceEnum": "chibo.meetings.models.Presence",  # the meetings' name, kept beside the study's
        "GradingFormEnum": "chibo.grading.enums.Form",
        "GradingMemberFormEnum": "chibo.grading.enums.MEMBER_FORM_CHOICES",
        "GradingPeriodKindEnum": "chibo.grading.enums.PeriodKind",
        "GradingPeriodStateEnum": "chibo.grading.enums.PeriodState",
        "GradingReviewStateEnum": "chibo.grading.enums.ReviewState",
        "GradingUnitReviewStateEnum": "chibo.grading.enums.UnitReviewState",
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CHIBO_LOG_LEVEL", "WARNING")},
    "loggers": {"django_tasks": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
