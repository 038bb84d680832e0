//! Certificates for the simulator, generated at start with rcgen: a throwaway CA and a serving
//! certificate for 127.0.0.1/localhost signed by it.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating a certificate: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("building the TLS server config: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("the client CA: {0}")]
    ClientCa(String),
}

/// A CA that can issue serving certificates.
pub struct TestCa {
    pub cert_pem: String,
    params: CertificateParams,
    key: KeyPair,
}

/// A certificate and its private key, PEM and DER.
pub struct Issued {
    pub cert_der: CertificateDer<'static>,
    pub key_der: PrivatePkcs8KeyDer<'static>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new(common_name: &str) -> Result<Self, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(TestCa {
            cert_pem: cert.pem(),
            params,
            key,
        })
    }

    /// A serving certificate valid for loopback names.
    pub fn issue_server(&self) -> Result<Issued, TlsError> {
        self.issue_server_for(&[])
    }

    /// A serving certificate for loopback plus `names` (e.g. a node's hostname).
    pub fn issue_server_for(&self, names: &[&str]) -> Result<Issued, TlsError> {
        let mut sans = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        sans.extend(names.iter().map(|n| n.to_string()));
        let mut params = CertificateParams::new(sans)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "opsdeck-simulator");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let key = KeyPair::generate()?;
        self.sign(params, key)
    }

    /// A client certificate with an Ed25519 key, as talosctl's are; `organization` carries
    /// the Talos role (e.g. `os:admin`).
    pub fn issue_client(&self, common_name: &str, organization: &str) -> Result<Issued, TlsError> {
        self.client_cert(common_name, organization, false)
    }

    /// A client certificate that expired years ago (for tests of what a server does with it).
    pub fn issue_expired_client(
        &self,
        common_name: &str,
        organization: &str,
    ) -> Result<Issued, TlsError> {
        self.client_cert(common_name, organization, true)
    }

    fn client_cert(
        &self,
        common_name: &str,
        organization: &str,
        expired: bool,
    ) -> Result<Issued, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, organization);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        self.sign(params, key)
    }

    fn sign(&self, params: CertificateParams, key: KeyPair) -> Result<Issued, TlsError> {
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Issued {
            cert_der: cert.der().clone(),
            key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// The API servers' TLS: `issued` as the serving certificate (HTTP/2 and 1.1), and every
/// client asked for a certificate signed by the CA in `ca_pem` — optional, as a kube-apiserver
/// started with `--client-ca-file` accepts a bearer token instead. The certificate's subject
/// names the user.
pub fn server_config_with_client_ca(
    issued: &Issued,
    ca_pem: &str,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| TlsError::ClientCa(e.to_string()))?;
        roots.add(cert)?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
        .allow_unauthenticated()
        .build()
        .map_err(|e| TlsError::ClientCa(e.to_string()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![issued.cert_der.clone()],
            PrivateKeyDer::Pkcs8(issued.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The common name of a certificate's subject (a kube client certificate's user).
pub fn common_name(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
}

/// rustls needs one process-wide crypto provider; installing twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
