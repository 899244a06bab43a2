"""AES-GCM field encryption with versioned keys, and re-encryption after rotation."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from mercato.accounts.models import User
from mercato.kit.crypto import KeyRing, KeyRingError, install_keyring
from mercato.kit.keys import encrypted_columns, reencrypt_table

KEY1 = base64.b64encode(b"1" * 32).decode()
KEY2 = base64.b64encode(b"2" * 32).decode()


@given(st.text(max_size=500))
def test_round_trip_any_text(plaintext):
    ring = KeyRing.parse(f"1:{KEY1}")
    sealed = ring.encrypt(plaintext)
    assert sealed.startswith("v1$")
    assert ring.decrypt(sealed) == plaintext


def test_the_newest_key_encrypts_and_old_keys_still_decrypt():
    old = KeyRing.parse(f"1:{KEY1}")
    rotated = KeyRing.parse(f"1:{KEY1},2:{KEY2}")
    sealed_old = old.encrypt("Alice")
    assert rotated.decrypt(sealed_old) == "Alice"
    assert rotated.encrypt("Alice").startswith("v2$")
    assert rotated.needs_reencryption(sealed_old)
    assert not rotated.needs_reencryption(rotated.encrypt("Alice"))


def test_same_plaintext_encrypts_differently_each_time():
    ring = KeyRing.parse(f"1:{KEY1}")
    assert ring.encrypt("same") != ring.encrypt("same")


def test_tampered_ciphertext_is_rejected():
    ring = KeyRing.parse(f"1:{KEY1}")
    sealed = ring.encrypt("pay seller 10 EUR")
    raw = bytearray(base64.b64decode(sealed.split("$", 1)[1]))
    raw[-1] ^= 1
    with pytest.raises(KeyRingError, match="authentication"):
        ring.decrypt("v1$" + base64.b64encode(bytes(raw)).decode())


def test_missing_key_and_malformed_values_are_errors():
    ring = KeyRing.parse(f"2:{KEY2}")
    with pytest.raises(KeyRingError, match="key 1"):
        ring.decrypt(KeyRing.parse(f"1:{KEY1}").encrypt("x"))
    with pytest.raises(KeyRingError, match="format"):
        ring.decrypt("plaintext")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no encryption key"),
        ("1:notbase64!!", "is not"),
        (f"1:{base64.b64encode(b'short').decode()}", "32 bytes"),
        (f"x:{KEY1}", "is not"),
    ],
)
def test_malformed_key_rings_are_refused(spec, message):
    with pytest.raises(KeyRingError, match=message):
        KeyRing.parse(spec)


def test_blind_index_is_stable_across_rotation():
    assert KeyRing.parse(f"1:{KEY1}").blind_index("a@b.c") == KeyRing.parse(
        f"1:{KEY1},2:{KEY2}"
    ).blind_index("a@b.c")


def test_every_personal_data_column_is_encrypted():
    tables = {table.name: set(columns) for table, columns in encrypted_columns()}
    assert tables["accounts_user"] == {"display_name", "phone", "totp_secret"}
    assert {"full_name", "line1", "line2", "city", "postal_code", "phone"} <= tables[
        "accounts_address"
    ]


async def test_reencryption_moves_every_value_to_the_newest_key(runtime):
    old_ring = KeyRing.parse(f"1:{KEY1}")
    install_keyring(old_ring)
    async with runtime.database.transaction() as session:
        session.add(
            User(
                email="rot@example.com",
                password_hash="x",
                role="buyer",
                display_name="Rot Ated",
                phone="+33 1 00 00 00 00",
            )
        )
    new_ring = KeyRing.parse(f"1:{KEY1},2:{KEY2}")
    install_keyring(new_ring)
    async with runtime.database.transaction() as session:
        table = User.__table__
        changed = await reencrypt_table(session, table, ["display_name", "phone"], new_ring)
        again = await reencrypt_table(session, table, ["display_name", "phone"], new_ring)
    assert (changed, again) == (1, 0)
    async with runtime.database.reading() as session:
        raw = (await session.execute(text("SELECT display_name, phone FROM accounts_user"))).one()
        assert all(value.startswith("v2$") for value in raw)
        user = (await session.execute(text("SELECT id FROM accounts_user"))).scalar_one()
        del user
    # Only the new key is needed now.
    install_keyring(KeyRing.parse(f"2:{KEY2}"))
    async with runtime.database.reading() as session:
        from sqlalchemy import select

        loaded = (await session.execute(select(User))).scalar_one()
        assert (loaded.display_name, loaded.phone) == ("Rot Ated", "+33 1 00 00 00 00")
