"""Landing pages, their ordered content blocks and their images.

A landing page is public at ``/p/<slug>/``, so its slug is unique across all
organisations (the URL carries no organisation). Everything else on it is
tenant-owned and looked up through the page's organisation.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel

HEX_COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b6e69."))
# The languages a landing page can be shown in; each has a catalogue in portal/locale.
PAGE_LANGUAGES = [("en", "English"), ("fr", "Français")]


class LandingPage(TenantModel):
    """One branded captive-portal page an operator's routers send devices to."""

    class LoginMethod(models.TextChoices):
        AUTO = "auto", _("Log the device in through the router's API, else hand back to the router")
        HANDOFF = "handoff", _("Always hand back to the router's login page (CHAP or PAP)")

    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        help_text=_("The page is served at /p/<address>/. Lowercase letters, digits and dashes."),
    )
    title = models.CharField(_("title"), max_length=80)
    language = models.CharField(_("language"), max_length=5, choices=PAGE_LANGUAGES, default="en")
    welcome_text = models.TextField(_("welcome text"), max_length=1000, blank=True)
    color_primary = models.CharField(
        _("button colour"), max_length=7, default="#0b6e69", validators=[HEX_COLOR]
    )
    color_background = models.CharField(
        _("background colour"), max_length=7, default="#f5f7f9", validators=[HEX_COLOR]
    )
    color_text = models.CharField(
        _("text colour"), max_length=7, default="#17212b", validators=[HEX_COLOR]
    )
    logo = models.ForeignKey(
        "portal.LandingAsset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    support_phone = models.CharField(_("support phone"), max_length=20, blank=True)
    support_whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    terms_url = models.URLField(_("terms of service link"), blank=True)
    privacy_url = models.URLField(
        _("privacy notice link"),
        blank=True,
        help_text=_(
            "Your own privacy notice. Without one, the page shows a short notice naming "
            "your business as responsible for your customers' data."
        ),
    )
    counter_instructions = models.TextField(
        _("pay-at-the-counter instructions"),
        max_length=500,
        blank=True,
        help_text=_("Shown to customers who choose to pay in person. Leave empty to hide."),
    )
    offer_mpesa = models.BooleanField(_("offer M-Pesa"), default=True)
    offer_paystack = models.BooleanField(_("offer card payment (Paystack)"), default=True)
    login_method = models.CharField(
        _("how devices are logged in"),
        max_length=10,
        choices=LoginMethod.choices,
        default=LoginMethod.AUTO,
    )
    hotspot_dns_name = models.CharField(
        _("hotspot DNS name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The router's hotspot DNS name (e.g. login.wifi). Hand-backs go only to this "
            "name or to a private IP address."
        ),
    )
    is_published = models.BooleanField(_("published"), default=True)
    # Bumped on every change of the page, its blocks or images: the cache key.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "title"], name="portal_page_org_title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("portal:page_edit", args=[self.pk])

    @property
    def public_path(self):
        return f"/p/{self.slug}/"


class LandingBlock(TenantModel):
    """One piece of a landing page, shown in ``position`` order."""

    class Kind(models.TextChoices):
        HEADING = "heading", _("Heading")
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        PACKAGES = "packages", _("Package list")
        VOUCHER = "voucher", _("Voucher box")
        CONTACT = "contact", _("Contact")

    page = models.ForeignKey(LandingPage, on_delete=models.CASCADE, related_name="blocks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    image = models.ForeignKey(
        "portal.LandingAsset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    image_alt = models.CharField(_("image description"), max_length=150, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "page", "position"], name="portal_block_order")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.position}"


class LandingAsset(TenantModel):
    """A re-encoded image (logo or block image), stored in the database.

    Kept in the database rather than on a disk so every web container serves
    it without shared storage; images are re-encoded small (a few tens of KB).
    Served at ``/p/<slug>/img/<digest>.<ext>`` with a year-long cache.
    """

    page = models.ForeignKey(LandingPage, on_delete=models.CASCADE, related_name="assets")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "page", "digest"], name="portal_asset_digest")
        ]

    def __str__(self):
        return f"image {self.digest[:10]}"

    @property
    def extension(self):
        return {"image/png": "png", "image/jpeg": "jpg"}.get(self.content_type, "bin")

    @property
    def filename(self):
        return f"{self.digest[:32]}.{self.extension}"

    @property
    def size(self):
        return len(self.content)


class LandingPageRouter(TenantModel):
    """A router whose hotspot sends devices to ``page`` (each router uses one page)."""

    page = models.ForeignKey(LandingPage, on_delete=models.CASCADE, related_name="router_links")
    router = models.ForeignKey("routers.Router", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "router"], name="portal_router_one_page"
            )
        ]

    def __str__(self):
        return f"router {self.router_id} → page {self.page_id}"


class LandingPagePackage(TenantModel):
    """A package the page sells (shown cheapest first while the package is active)."""

    page = models.ForeignKey(LandingPage, on_delete=models.CASCADE, related_name="package_links")
    package = models.ForeignKey("vouchers.Package", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "page", "package"], name="portal_page_package_unique"
            )
        ]

    def __str__(self):
        return f"package {self.package_id} on page {self.page_id}"


def new_purchase_token() -> str:
    import secrets

    return secrets.token_urlsafe(18)


class PortalPurchase(TenantModel):
    """A package bought on a landing page: from the payment to a voucher and a device online.

    The unguessable ``token`` in the waiting page's URL is the buyer's only
    handle on it (no cookie, no login). The hand-off values are kept so the
    device can be logged in once the payment lands, possibly minutes later.
    """

    class Method(models.TextChoices):
        MPESA = "mpesa", _("M-Pesa")
        PAYSTACK = "paystack", _("Card (Paystack)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        FULFILLED = "fulfilled", _("Voucher delivered")
        FAILED = "failed", _("Payment failed")

    class Access(models.TextChoices):
        NONE = "", _("Not yet")
        ONLINE = "online", _("Logged in through the router's API")
        HANDOFF = "handoff", _("Handed back to the router's login page")
        CODE_ONLY = "code_only", _("Code shown and sent (router not reachable)")

    token = models.CharField(max_length=32, unique=True, default=new_purchase_token, editable=False)
    page = models.ForeignKey(
        LandingPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    package = models.ForeignKey(
        "vouchers.Package", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    package_name = models.CharField(max_length=80)
    router = models.ForeignKey(
        "routers.Router", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    language = models.CharField(max_length=5, default="en")
    phone = models.CharField(max_length=20, blank=True, help_text=_("E.164"))
    email = models.EmailField(blank=True)
    device_mac = models.CharField(max_length=17, blank=True)
    device_ip = models.GenericIPAddressField(null=True, blank=True)
    link_login_only = models.CharField(max_length=300, blank=True)
    link_orig = models.CharField(max_length=500, blank=True)
    chap_id = models.CharField(max_length=80, blank=True)
    chap_challenge = models.CharField(max_length=300, blank=True)
    payment = models.OneToOneField(
        "billing.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_purchase",
    )
    voucher = models.ForeignKey(
        "vouchers.Voucher", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    access = models.CharField(max_length=10, choices=Access.choices, blank=True, default="")
    failure_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="portal_purchase_recent"),
            models.Index(fields=["organization", "phone"], name="portal_purchase_phone"),
        ]

    def __str__(self):
        return f"purchase {self.pk} ({self.status})"
