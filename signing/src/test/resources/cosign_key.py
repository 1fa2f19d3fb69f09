"""An independent implementation of cosign's encrypted private key format, for tests.

Uses libsodium's real secretbox (python3-nacl) and OpenSSL's scrypt (hashlib), so
that a Java mistake cannot hide behind the same mistake on both sides.
  cosign_key.py decrypt KEY.pem OUT.der   (passphrase on stdin)
  cosign_key.py encrypt IN.der OUT.pem    (passphrase on stdin)
"""
import base64
import hashlib
import json
import os
import sys

import nacl.secret

PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY"


def scrypt(passphrase, salt, n, r, p):
    return hashlib.scrypt(passphrase, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024)


def decrypt(pem_path, out_path, passphrase):
    lines = open(pem_path).read().strip().splitlines()
    assert lines[0] == "-----BEGIN %s-----" % PEM_TYPE, lines[0]
    doc = json.loads(base64.b64decode("".join(lines[1:-1])))
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"]["name"] == "nacl/secretbox", doc
    params = doc["kdf"]["params"]
    key = scrypt(passphrase, base64.b64decode(doc["kdf"]["salt"]), params["N"], params["r"], params["p"])
    der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc["ciphertext"]), base64.b64decode(doc["cipher"]["nonce"]))
    open(out_path, "wb").write(der)


def encrypt(der_path, out_path, passphrase):
    salt, nonce = os.urandom(32), os.urandom(24)
    key = scrypt(passphrase, salt, 32768, 8, 1)
    box = nacl.secret.SecretBox(key).encrypt(open(der_path, "rb").read(), nonce).ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(box).decode()}
    body = base64.encodebytes(json.dumps(doc).encode()).decode()
    open(out_path, "w").write("-----BEGIN %s-----\n%s-----END %s-----\n" % (PEM_TYPE, body, PEM_TYPE))


if __name__ == "__main__":
    passphrase = sys.stdin.buffer.readline().rstrip(b"\n")
    {"decrypt": decrypt, "encrypt": encrypt}[sys.argv[1]](sys.argv[2], sys.argv[3], passphrase)
