package host

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// The keys of the TLS material in a SecretStore.
const (
	KeyCACert     = "ca.crt"
	KeyCAKey      = "ca.key"
	KeyServerCert = "server.crt"
	KeyServerKey  = "server.key"
)

// Lifetimes of the generated certificates; a server certificate that expires
// within renewBefore is issued again at start.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 2 * 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
)

// Material is the listener's TLS material: the CA plugins trust and the
// server certificate it signed.
type Material struct {
	CA      *x509.Certificate
	CAPEM   []byte // given to plugins in ZE_PLUGIN_HUB_CA
	caKey   *ecdsa.PrivateKey
	Server  tls.Certificate
	created bool // generated (in part) by this load
}

// LoadMaterial reads the material from store, generating and storing what is
// missing, unreadable or about to expire: a CA (ECDSA P-256, ten years) and a
// server certificate for ServerName and the loopback addresses (two years).
func LoadMaterial(store SecretStore, now time.Time) (*Material, error) {
	m := &Material{}
	if err := m.loadCA(store, now); err != nil {
		return nil, err
	}
	if err := m.loadServer(store, now); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Material) loadCA(store SecretStore, now time.Time) error {
	certPEM, err1 := store.Get(KeyCACert)
	keyPEM, err2 := store.Get(KeyCAKey)
	if err := errors.Join(err1, err2); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("host: reading the plugin CA: %w", err)
	}
	if err1 == nil && err2 == nil {
		cert, key, err := parsePair(certPEM, keyPEM)
		if err == nil && cert.IsCA && now.Before(cert.NotAfter.Add(-renewBefore)) {
			m.CA, m.CAPEM, m.caKey = cert, certPEM, key
			return nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("host: generating the plugin CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "ze plugin hub CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("host: creating the plugin CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM, err = encodeKey(key)
	if err != nil {
		return err
	}
	if err := errors.Join(store.Put(KeyCACert, certPEM), store.Put(KeyCAKey, keyPEM)); err != nil {
		return fmt.Errorf("host: storing the plugin CA: %w", err)
	}
	m.CA, m.CAPEM, m.caKey, m.created = cert, certPEM, key, true
	return nil
}

func (m *Material) loadServer(store SecretStore, now time.Time) error {
	if !m.created {
		certPEM, err1 := store.Get(KeyServerCert)
		keyPEM, err2 := store.Get(KeyServerKey)
		if err := errors.Join(err1, err2); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("host: reading the plugin hub certificate: %w", err)
		}
		if err1 == nil && err2 == nil {
			cert, key, err := parsePair(certPEM, keyPEM)
			if err == nil && m.verifies(cert, now.Add(renewBefore)) {
				m.Server = tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
				return nil
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("host: generating the plugin hub key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: ServerName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{ServerName},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, m.CA, &key.PublicKey, m.caKey)
	if err != nil {
		return fmt.Errorf("host: creating the plugin hub certificate: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := errors.Join(store.Put(KeyServerCert, certPEM), store.Put(KeyServerKey, keyPEM)); err != nil {
		return fmt.Errorf("host: storing the plugin hub certificate: %w", err)
	}
	m.Server = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}
	return nil
}

// verifies reports whether cert was signed by the CA, names ServerName and is
// still valid at t.
func (m *Material) verifies(cert *x509.Certificate, t time.Time) bool {
	_, err := cert.Verify(x509.VerifyOptions{
		DNSName:     ServerName,
		Roots:       m.pool(),
		CurrentTime: t,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err == nil
}

func (m *Material) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(m.CA)
	return p
}

// ServerConfig is the listener's TLS configuration: TLS 1.3 only, the server
// certificate, and client certificates, when a client sends one, verified
// against the CA (a client needs none: it authenticates with its token).
func (m *Material) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{m.Server},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    m.pool(),
	}
}

// ClientConfig is what a plugin uses: trust only caPEM, expect ServerName.
func ClientConfig(caPEM []byte) (*tls.Config, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("host: no certificate in the plugin hub CA")
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: p, ServerName: ServerName}, nil
}

func parsePair(certPEM, keyPEM []byte) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("host: not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, errors.New("host: key does not match the certificate")
	}
	return cert, key, nil
}

func encodeKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("host: encoding a key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic("host: no randomness: " + err.Error())
	}
	return n
}
