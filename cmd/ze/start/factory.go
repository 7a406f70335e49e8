package start

import "github.com/zebgp/ze/cdb"

// factory is the factory default with the admin password hash.
func factory(hash string) []byte {
	_ = hash
	return cdb.DefaultConfig
}
