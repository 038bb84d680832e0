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
    let mut config = rustls::ServerConfig::builder_with_provider(go_ordered_provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![issued.cert_der.clone()],
            PrivateKeyDer::Pkcs8(issued.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // The server's order decides, as Go's crypto/tls does since 1.17.
    config.ignore_client_order = true;
    Ok(Arc::new(config))
}

/// The cipher suites in the order a Go server (kube-apiserver, Argo CD) picks them on hardware
/// with AES: AES-128-GCM, then ChaCha20-Poly1305, then AES-256-GCM. A rustls client lists
/// AES-256 first, so against a real API server it reads AES-128 records — cheaper to
/// decrypt, and what the cockpit should be measured against.
fn go_ordered_provider() -> Arc<rustls::crypto::CryptoProvider> {
    use rustls::CipherSuite::*;
    let rank = |suite: rustls::CipherSuite| match suite {
        TLS13_AES_128_GCM_SHA256
        | TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        | TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => 0,
        TLS13_CHACHA20_POLY1305_SHA256
        | TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        | TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => 1,
        _ => 2,
    };
    let mut provider = rustls::crypto::ring::default_provider();
    // Stable: TLS 1.3's suites stay ahead of TLS 1.2's within each rank's order.
    provider.cipher_suites.sort_by_key(|s| rank(s.suite()));
    Arc::new(provider)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that lists AES-256-GCM first (rustls's default order, the cockpit's) gets
    /// AES-128-GCM, as from a Go server.
    #[test]
    fn the_server_picks_aes_128_as_a_go_server_does() {
        install_crypto_provider();
        let ca = TestCa::new("test-ca").expect("a CA");
        let server =
            server_config_with_client_ca(&ca.issue_server().expect("issued"), &ca.cert_pem)
                .expect("a server config");
        let mut roots = rustls::RootCertStore::empty();
        use rustls::pki_types::pem::PemObject;
        for cert in CertificateDer::pem_slice_iter(ca.cert_pem.as_bytes()) {
            roots.add(cert.expect("the CA")).expect("added");
        }
        let client = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let first_offered = client.crypto_provider().cipher_suites[0].suite();
        assert_eq!(first_offered, rustls::CipherSuite::TLS13_AES_256_GCM_SHA384);
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("a name");
        let mut client = rustls::ClientConnection::new(Arc::new(client), name).expect("client");
        let mut server = rustls::ServerConnection::new(server).expect("server");
        // The handshake, its flights carried by hand.
        for _ in 0..10 {
            if !client.is_handshaking() && !server.is_handshaking() {
                break;
            }
            carry(&mut client, &mut server);
            carry(&mut server, &mut client);
        }
        assert!(!client.is_handshaking(), "the handshake ended");
        let suite = client.negotiated_cipher_suite().expect("a suite").suite();
        assert_eq!(suite, rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
    }

    fn carry<A, B, DA, DB>(from: &mut A, to: &mut B)
    where
        A: std::ops::DerefMut<Target = rustls::ConnectionCommon<DA>>,
        B: std::ops::DerefMut<Target = rustls::ConnectionCommon<DB>>,
    {
        let mut wire = Vec::new();
        while from.wants_write() {
            from.write_tls(&mut wire).expect("written");
        }
        let mut read = &wire[..];
        while !read.is_empty() {
            to.read_tls(&mut read).expect("read");
            to.process_new_packets().expect("processed");
        }
    }
}
