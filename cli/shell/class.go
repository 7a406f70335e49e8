package shell

// Class returns the class the shell's user has now.
func (sh *Shell) Class() Class { return sh.env.Class }

// SetClass gives the shell's user a new class, as a commit that changed
// it does: the next command line is checked against it. A shell in
// configure mode whose user is no longer a super-user leaves configure
// mode: left is true, and discarded says whether there were uncommitted
// changes, which are discarded with the configure session (the private
// candidate; the shared one when it held the exclusive lock).
func (sh *Shell) SetClass(c Class) (left, discarded bool, err error) {
	sh.mu.Lock()
	sh.env.Class = c
	sh.mu.Unlock()
	sh.view = nil
	if c == SuperUser || sh.mode != Configure || sh.sess == nil {
		return false, false, nil
	}
	discarded = sh.sess.Changed()
	return true, discarded, sh.leaveConfigure()
}
