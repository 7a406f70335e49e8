package yang

import "strings"

// Unindent removes the indentation that YANG source gives the continuation
// lines of a description (the smallest indentation of those lines) and
// trims the text.
func Unindent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) < 2 {
		return strings.TrimSpace(s)
	}
	indent := -1
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) >= indent && indent > 0 {
			lines[i] = lines[i][indent:]
		} else {
			lines[i] = strings.TrimLeft(lines[i], " \t")
		}
	}
	return strings.Join(lines, "\n")
}

// Summary returns the first sentence of a description on one line: the text
// up to the first ". " or blank line, with line breaks made spaces.
func Summary(desc string) string {
	para, _, _ := strings.Cut(desc, "\n\n")
	para = strings.Join(strings.Fields(para), " ")
	for i := 0; i+1 < len(para); i++ {
		if para[i] == '.' && para[i+1] == ' ' {
			return para[:i+1]
		}
	}
	return para
}
