//! The service's own RSA key, which signs its LTI 1.3 client assertions. Made on first run
//! (PKCS#8 PEM, readable by the service's user only) and published as a JWKS at `/jwks`, the
//! keyset URL an LMS registers.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The size LTI platforms expect (Moodle's own keys are 2048-bit).
const BITS: usize = 2048;

pub struct SigningKey {
    /// Key id: derived from the public key, so it changes exactly when the key does.
    pub kid: String,
    pub encoding: jsonwebtoken::EncodingKey,
    public: RsaPublicKey,
}

impl SigningKey {
    /// Reads the key at `path`, or makes one there when the file does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, BITS).context("generating an RSA key")?;
            let pem = key.to_pkcs8_pem(LineEnding::LF)?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // create_new: two services starting at once must not overwrite each other's key.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("creating the key file {}", path.display()))?;
            file.write_all(pem.as_bytes())?;
            tracing::info!(path = %path.display(), "made a new signing key: register the /jwks URL with the LMS");
        }
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("reading the key file {}", path.display()))?;
        Self::from_pem(&pem).with_context(|| format!("{} is not a PKCS#8 RSA private key", path.display()))
    }

    pub fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem)?;
        let public = RsaPublicKey::from(&private);
        let der = public.to_public_key_der()?;
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(der.as_bytes())[..12]);
        let encoding = jsonwebtoken::EncodingKey::from_rsa_der(private.to_pkcs1_der()?.as_bytes());
        Ok(Self { kid, encoding, public })
    }

    /// The public half as a JSON Web Key Set.
    pub fn jwks(&self) -> Value {
        let b64 = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
        json!({ "keys": [{
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": b64(self.public.n()),
            "e": b64(self.public.e()),
        }]})
    }
}
