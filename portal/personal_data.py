from privacy.registry import register

register(
    "portal.LandingPage",
    category="landing_pages",
    personal_fields=("support_phone", "support_whatsapp"),
    notes="The operator's own contact numbers shown on the page; no end-customer data.",
)
register("portal.LandingBlock", category="landing_pages")
register(
    "portal.LandingAsset",
    category="landing_pages",
    notes="Re-encoded logo and block images (metadata stripped).",
)
register("portal.LandingPageRouter", category="landing_pages")
register("portal.LandingPagePackage", category="landing_pages")
register(
    "portal.PortalPurchase",
    category="landing_pages",
    personal_fields=("phone", "email", "device_mac", "device_ip", "customer"),
    secret_fields=("token",),
    erasure="pseudonymise",
    retention="usage",
    retention_field="created_at",
    notes="A landing-page purchase: who paid (phone/email) from which device. The payment "
    "itself is the legal record (billing); this row is pseudonymised on erasure.",
    extra={"customer_field": "customer"},
)
