package host

import (
	"bytes"
	"crypto/tls"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/zebgp/ze/zefs"
)

// TestMaterial: generated once, then read back as is; a server certificate
// near its end is issued again under the same CA; damaged material is
// replaced.
func TestMaterial(t *testing.T) {
	store := &MemStore{}
	now := time.Now()
	m1, err := LoadMaterial(store, now)
	if err != nil {
		t.Fatal(err)
	}
	if !m1.CA.IsCA || m1.Server.Leaf.Subject.CommonName != ServerName || !m1.verifies(m1.Server.Leaf, now) {
		t.Fatalf("generated material is not what it should be")
	}
	for _, k := range []string{KeyCACert, KeyCAKey, KeyServerCert, KeyServerKey} {
		if _, err := store.Get(k); err != nil {
			t.Errorf("%s not stored: %v", k, err)
		}
	}
	m2, err := LoadMaterial(store, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m2.CAPEM, m1.CAPEM) || !bytes.Equal(m2.Server.Certificate[0], m1.Server.Certificate[0]) {
		t.Error("reloading changed the material")
	}
	// Nearly two years later the server certificate is renewed, not the CA.
	later := now.Add(serverLifetime - renewBefore/2)
	m3, err := LoadMaterial(store, later)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m3.CAPEM, m1.CAPEM) || bytes.Equal(m3.Server.Certificate[0], m1.Server.Certificate[0]) {
		t.Error("the server certificate was not renewed under the same CA")
	}
	// A damaged CA is replaced, and so is the server certificate it signed.
	_ = store.Put(KeyCACert, []byte("not pem"))
	m4, err := LoadMaterial(store, now)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(m4.CAPEM, m1.CAPEM) || !m4.verifies(m4.Server.Leaf, now) {
		t.Error("damaged CA not replaced")
	}
}

// TestMaterialStoreError: a store that cannot be read is an error, not a new
// CA.
func TestMaterialStoreError(t *testing.T) {
	if _, err := LoadMaterial(brokenStore{}, time.Now()); err == nil {
		t.Error("no error from a broken store")
	}
}

type brokenStore struct{}

func (brokenStore) Get(string) ([]byte, error) { return nil, errors.New("disk on fire") }
func (brokenStore) Put(string, []byte) error   { return errors.New("disk on fire") }

// TestZeFSStore: the material lives in ZeFS under its prefix and survives a
// reopen.
func TestZeFSStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ze.zefs")
	st, err := zefs.Open(path, zefs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := ZeFSStore{Store: st, Prefix: "plugin-hub"}
	if _, err := s.Get(KeyCACert); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: got %v, want ErrNotFound", err)
	}
	m1, err := LoadMaterial(s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if keys := st.List("plugin-hub/"); len(keys) != 4 {
		t.Errorf("keys: got %v", keys)
	}
	_ = st.Close()
	st, err = zefs.Open(path, zefs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m2, err := LoadMaterial(ZeFSStore{Store: st, Prefix: "plugin-hub"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m1.CAPEM, m2.CAPEM) {
		t.Error("the CA changed across a reopen")
	}
	// The client side trusts it.
	conf, err := ClientConfig(m2.CAPEM)
	if err != nil || conf.ServerName != ServerName || conf.MinVersion != tls.VersionTLS13 {
		t.Errorf("client config: %+v, %v", conf, err)
	}
	if _, err := ClientConfig([]byte("junk")); err == nil {
		t.Error("a CA without a certificate was accepted")
	}
}
