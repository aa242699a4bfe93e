"""Notify configuration per deployment (``FQ_NOTIFY_*``); secrets may come from files
(``FQ_NOTIFY_SIGNING_SECRET_FILE``, or ``FQ_SECRETS_DIR``: see shared/settings_base.py)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings_base import ServiceSettings

DEV_SIGNING_SECRET = "dev-signing-secret"
DEV_SMS_KEY = "dev-sms-key"
DEV_HOTLINE_KEY = "dev-hotline-key"
SANDBOX_ORIGIN = "http://127.0.0.1:8900"
"""Where the sample county's contacts, the default SMS gateway and 12345 callback point."""


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FQ_NOTIFY_", env_file=".env", extra="ignore")

    signing_secret: SecretStr = Field(
        default=SecretStr(DEV_SIGNING_SECRET),
        description="HMAC-SHA256 key of the X-Signature header on webhooks and 12345 callbacks",
    )
    http_timeout_seconds: float = Field(default=5.0, gt=0)
    retry_initial_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=60.0, gt=0, description="Cap of one backoff wait")
    retry_total_seconds: float = Field(
        default=900.0, gt=0, description="Give up (DeliveryFailed) after this long"
    )
    concurrency: int = Field(default=64, ge=1, description="Deliveries in flight at once")
    http_connections: int = Field(
        default=64, ge=1, description="Connections of the HTTP client (all receivers together)"
    )
    lease_seconds: float = Field(
        default=120.0, gt=0, description="How long an instance owns a delivery it is sending"
    )
    sms_gateway_url: str = f"{SANDBOX_ORIGIN}/sms"
    sms_api_key: SecretStr = SecretStr(DEV_SMS_KEY)
    sms_sign_name: str = "综治中心"
    sms_templates: dict[str, str] = Field(
        default_factory=lambda: {
            "order": "FQ_ORDER_V1",
            "resend_backup": "FQ_ORDER_BACKUP_V1",
            "warning": "FQ_ACK_WARNING_V1",
            "supervision": "FQ_SUPERVISION_V1",
            "closure": "FQ_CLOSURE_V1",
            "pre_breach_warning": "FQ_PRE_BREACH_V1",
            "extension_request": "FQ_EXTENSION_REQUEST_V1",
            "extension_decision": "FQ_EXTENSION_DECISION_V1",
            "bounce_back": "FQ_BOUNCE_BACK_V1",
            "bounce_back_decision": "FQ_BOUNCE_BACK_DECISION_V1",
            "arbitration_lapsed": "FQ_ARBITRATION_LAPSED_V1",
            "chase": "FQ_CHASE_V1",
            "hotspot_warning": "FQ_HOTSPOT_WARNING_V1",
            "duplicate_proposal": "FQ_DUPLICATE_PROPOSAL_V1",
        },
        description="SMS template id per notice purpose",
    )
    hotline_callback_url: str = f"{SANDBOX_ORIGIN}/hotline/feedback"
    hotline_api_key: SecretStr = SecretStr(DEV_HOTLINE_KEY)
    sandbox_port: int | None = Field(
        default=None,
        description="Start the local sandbox receiver on this port (development only); "
        "URLs pointing at the default sandbox (127.0.0.1:8900: the sample county's contacts, "
        "the SMS gateway, the 12345 callback) are sent to this port instead",
    )

    @model_validator(mode="after")
    def _gateways_follow_the_sandbox(self) -> NotifySettings:
        self.sms_gateway_url = self.to_sandbox(self.sms_gateway_url)
        self.hotline_callback_url = self.to_sandbox(self.hotline_callback_url)
        return self

    def to_sandbox(self, url: str) -> str:
        """``url`` on the sandbox's own port when it points at the default sandbox."""
        if self.sandbox_port is None or not url.startswith(f"{SANDBOX_ORIGIN}/"):
            return url
        return f"http://127.0.0.1:{self.sandbox_port}{url[len(SANDBOX_ORIGIN) :]}"

    def unsafe_outside_development(self) -> list[str]:
        problems = []
        if self.signing_secret.get_secret_value() == DEV_SIGNING_SECRET:
            problems.append("FQ_NOTIFY_SIGNING_SECRET is the development secret")
        if self.sms_api_key.get_secret_value() == DEV_SMS_KEY:
            problems.append("FQ_NOTIFY_SMS_API_KEY is the development key")
        if self.hotline_api_key.get_secret_value() == DEV_HOTLINE_KEY:
            problems.append("FQ_NOTIFY_HOTLINE_API_KEY is the development key")
        if self.sandbox_port is not None:
            problems.append("the sandbox receiver is for development")
        return problems
