package cli

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHashes(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h6, err := HashPassword("secret")
	if err != nil || !strings.HasPrefix(h6, "$6$") {
		t.Fatalf("HashPassword: %q %v", h6, err)
	}
	tests := []struct {
		name, hash string
	}{
		// made with openssl passwd -1 / -5 / -6 -salt saltsalt secret
		{"md5", "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"},
		{"sha256", "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"},
		{"sha512", "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"},
		{"generated", h6},
		{"bcrypt-2a", string(b)},
		{"bcrypt-2b", "$2b$" + string(b[4:])},
		{"bcrypt-2y", "$2y$" + string(b[4:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyPassword(tt.hash, "secret"); err != nil {
				t.Fatalf("right password refused: %v", err)
			}
			if err := VerifyPassword(tt.hash, "Secret"); !errors.Is(err, ErrBadPassword) {
				t.Fatalf("wrong password: got %v, want ErrBadPassword", err)
			}
		})
	}
	for _, bad := range []string{"", "$y$j9T$abc$def", "plain", "$2b$xx"} {
		if err := VerifyPassword(bad, "secret"); err == nil || errors.Is(err, ErrBadPassword) {
			t.Errorf("hash %q: got %v, want an unsupported-hash error", bad, err)
		}
	}
}
