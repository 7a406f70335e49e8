package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/GehirnInc/crypt"
	_ "github.com/GehirnInc/crypt/md5_crypt"    // $1$
	_ "github.com/GehirnInc/crypt/sha256_crypt" // $5$
	_ "github.com/GehirnInc/crypt/sha512_crypt" // $6$
	"golang.org/x/crypto/bcrypt"
)

// ErrBadPassword is a password that does not match its hash.
var ErrBadPassword = errors.New("cli: wrong password")

// HashPassword hashes a password with SHA-512 crypt ($6$, a random salt,
// 5000 rounds), the form `mkpasswd -m sha-512` prints and the
// configuration stores.
func HashPassword(plain string) (string, error) {
	if plain == "" {
		return "", errors.New("cli: empty password")
	}
	h, err := crypt.SHA512.New().Generate([]byte(plain), nil)
	if err != nil {
		return "", fmt.Errorf("cli: hashing a password: %w", err)
	}
	return h, nil
}

// VerifyPassword checks plain against a crypt(3) hash: MD5 ($1$), SHA-256
// ($5$), SHA-512 ($6$) or bcrypt ($2a$, $2b$, $2y$). It returns nil when they
// match, ErrBadPassword when they do not, and another error for a hash it
// cannot read (yescrypt $y$ among them).
func VerifyPassword(hash, plain string) error {
	switch {
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(plain))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return ErrBadPassword
		}
		if err != nil {
			return fmt.Errorf("cli: bcrypt hash: %w", err)
		}
		return nil
	case strings.HasPrefix(hash, "$1$"), strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$6$"):
		if !crypt.IsHashSupported(hash) {
			return fmt.Errorf("cli: unsupported password hash %.3s", hash)
		}
		err := crypt.NewFromHash(hash).Verify(hash, []byte(plain))
		if errors.Is(err, crypt.ErrKeyMismatch) {
			return ErrBadPassword
		}
		if err != nil {
			return fmt.Errorf("cli: password hash: %w", err)
		}
		return nil
	}
	prefix := hash
	if i := strings.IndexByte(hash[min(1, len(hash)):], '$'); i >= 0 {
		prefix = hash[:i+2]
	}
	return fmt.Errorf("cli: unsupported password hash %q", prefix)
}
