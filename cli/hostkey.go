package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"

	gossh "golang.org/x/crypto/ssh"

	"github.com/zebgp/ze/zefs"
)

// HostKeyName is the ZeFS key of the SSH host key: an ed25519 private key
// in the OpenSSH PEM form.
const HostKeyName = "ssh/host-key"

// hostKey reads the host key from store, making and storing one when it
// has none. Without a store the key lives as long as the process.
func hostKey(store *zefs.Store) (gossh.Signer, error) {
	if store != nil {
		b, err := store.GetCopy(HostKeyName)
		switch {
		case err == nil:
			s, err := gossh.ParsePrivateKey(b)
			if err != nil {
				return nil, fmt.Errorf("cli: the host key in %s: %w", HostKeyName, err)
			}
			return s, nil
		case !errors.Is(err, zefs.ErrNotFound):
			return nil, fmt.Errorf("cli: reading the host key: %w", err)
		}
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cli: making a host key: %w", err)
	}
	blk, err := gossh.MarshalPrivateKey(priv, "ze host key")
	if err != nil {
		return nil, fmt.Errorf("cli: encoding the host key: %w", err)
	}
	if store != nil {
		if err := store.Put(HostKeyName, pem.EncodeToMemory(blk)); err != nil {
			return nil, fmt.Errorf("cli: storing the host key: %w", err)
		}
	}
	return gossh.NewSignerFromKey(priv)
}
