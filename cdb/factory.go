package cdb

import (
	_ "embed"
	"regexp"
	"strconv"
	"strings"
)

// factoryText is the factory default configuration (factory.conf), with
// the placeholder adminHashPlaceholder where the admin user's password
// hash goes.
//
//go:embed factory.conf
var factoryText string

// adminHashPlaceholder stands for the hash of the admin user's password
// in factory.conf: the daemon substitutes it at its first start.
const adminHashPlaceholder = "@ADMIN-PASSWORD-HASH@"

// bareHash is a hash that needs no quotes in the configuration language.
var bareHash = regexp.MustCompile(`^[A-Za-z0-9./$=,-]+$`)

// FactoryDefault returns the factory default configuration: host name ze,
// the SSH server on 127.0.0.1 port 2222, and a user admin of class
// super-user whose password is adminPasswordHash (a crypt(3) hash such as
// "$6$…"). With "" the admin user has no password (no authentication
// block). The text is in canonical hierarchical form; Open validates it.
func FactoryDefault(adminPasswordHash string) []byte {
	lines := strings.SplitAfter(factoryText, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.Contains(l, adminHashPlaceholder) {
			out = append(out, l)
			continue
		}
		if adminPasswordHash != "" {
			h := adminPasswordHash
			if !bareHash.MatchString(h) {
				h = strconv.Quote(h)
			}
			out = append(out, strings.Replace(strings.Replace(l, `"`+adminHashPlaceholder+`"`, adminHashPlaceholder, 1), adminHashPlaceholder, h, 1))
			continue
		}
		// No password: drop the line, and the authentication block
		// around it when it holds nothing else.
		if n := len(out); n > 0 && strings.TrimSpace(out[n-1]) == "authentication {" &&
			i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "}" {
			out = out[:n-1]
			i++
		}
	}
	return []byte(strings.Join(out, ""))
}

// DefaultConfig is the factory default without an admin password
// (FactoryDefault("")): what the offline ze config commands start a new
// database with, and what Open uses when Options.Factory is nil.
var DefaultConfig = FactoryDefault("")
