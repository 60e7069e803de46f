"""The outbox: one ``Message`` per person, channel and event, and the bell's ``Notification`` rows.

Every app that tells people something (deadline reminders, meeting notices, security notices …)
writes here through ``chibo.notifications.services.notify``; this app knows users and units only
(by the auth user model and a string reference), never the processes that call it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.core.said import say
from chibo.notifications.enums import Channel, State


class SaidTexts(models.Model):
    """A title and a body as the service wrote them in Vietnamese, with what it said (``core.said``, under "title"
    and "body"): ``title`` and ``body`` read them in the reader's language; an e-mail, written by the worker, goes out
    in Vietnamese."""

    title_vi = models.CharField(max_length=200, db_column="title")
    body_vi = models.CharField(max_length=1000, blank=True, db_column="body")
    said = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return say(self.said.get("title"), self.title_vi)

    @property
    def body(self) -> str:
        return say(self.said.get("body"), self.body_vi)


class Message(SaidTexts):
    """One message to one user on one channel, with its delivery state: the outbox and its log.

    ``key`` (when not empty) is unique with the channel and the user: the same event never reaches
    the same person twice on a channel, whoever asks and however often. ``message_id`` is fixed when
    the message is queued, so an e-mail sent again after a worker died before recording it is the
    same message for the recipient's mail system.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=40, db_index=True)
    key = models.CharField(gettext_noop("khóa chống gửi trùng"), max_length=150, blank=True)
    ref = models.CharField(gettext_noop("về việc"), max_length=80, blank=True, db_index=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.CharField(max_length=200, blank=True)
    address = models.CharField(gettext_noop("địa chỉ thư"), max_length=254, blank=True)  # e-mail messages only
    # A link only its recipient may see (a one-time activation link): encrypted at rest, put in the
    # e-mail instead of ``url``, and erased once the message is sent or given up.
    secret_url = EncryptedTextField(blank=True, default="")
    message_id = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "user"], condition=~models.Q(key=""),
                                    name="message_once"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="message_state_idx"),
            models.Index(fields=["-created_at"], name="message_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.channel}, {self.state})"


class Notification(SaidTexts):
    """An in-app notification (the bell): written with its message, in the same transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="notification")
    kind = models.CharField(max_length=40, blank=True)
    ref = models.CharField(max_length=80, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="bell_unread_idx")]
