import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.tenancy import TenantModel

CURRENCIES = {
    # code: (name, symbol)
    "GHS": ("Ghana cedi", "₵"),
    "NGN": ("Nigerian naira", "₦"),
    "KES": ("Kenyan shilling", "KSh"),
    "UGX": ("Ugandan shilling", "USh"),
    "TZS": ("Tanzanian shilling", "TSh"),
    "RWF": ("Rwandan franc", "FRw"),
    "ZAR": ("South African rand", "R"),
    "XOF": ("West African CFA franc", "CFA"),
    "USD": ("US dollar", "$"),
    "EUR": ("Euro", "€"),
    "GBP": ("Pound sterling", "£"),
}
CURRENCY_CHOICES = [(code, f"{code} — {name}") for code, (name, _sym) in CURRENCIES.items()]

COUNTRIES = {
    # ISO 3166 code: (name, default currency)
    "GH": ("Ghana", "GHS"),
    "NG": ("Nigeria", "NGN"),
    "KE": ("Kenya", "KES"),
    "UG": ("Uganda", "UGX"),
    "TZ": ("Tanzania", "TZS"),
    "RW": ("Rwanda", "RWF"),
    "ZA": ("South Africa", "ZAR"),
    "SN": ("Senegal", "XOF"),
    "CI": ("Côte d'Ivoire", "XOF"),
    "CM": ("Cameroon", "XOF"),
    "US": ("United States", "USD"),
    "GB": ("United Kingdom", "GBP"),
    "FR": ("France", "EUR"),
}
COUNTRY_CHOICES = [(code, name) for code, (name, _cur) in COUNTRIES.items()]
TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an operator's member or platform staff."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Sign-up confirmation that the person is a business user aged 18 or over.
    confirmed_adult_business_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Organization(models.Model):
    """A tenant: one ISP operator's business."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        PENDING_DELETION = "pending_deletion", _("Deletion scheduled")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    email = models.EmailField()
    phone = models.CharField(max_length=20, help_text=_("E.164, e.g. +233201234567"))
    address_line = models.CharField(_("business address"), max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, choices=COUNTRY_CHOICES, default="GH")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="GHS")
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    require_2fa = models.BooleanField(
        _("require two-factor authentication for members"), default=False
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def currency_symbol(self):
        return CURRENCIES.get(self.currency, (self.currency, self.currency))[1]


class Membership(TenantModel):
    """A user's place in an organisation, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} @ {self.organization_id} ({self.role})"


class Invitation(TenantModel):
    """An email invitation to join an organisation, accepted through a signed link."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self):
        return f"invitation {self.pk}"

    @property
    def is_pending(self):
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class KnownDevice(models.Model):
    """A browser/OS combination a user has logged in from, to spot new devices."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_unique")
        ]

    def __str__(self):
        return self.label
