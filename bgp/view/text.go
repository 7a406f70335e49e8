package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// JSONToText turns the JSON of a message into an indented, readable form:
// one "key value" per line, nested objects indented, arrays of scalars on one
// line in brackets. Key order is kept.
func JSONToText(j []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var b strings.Builder
	if err := textValue(dec, &b, 0, ""); err != nil {
		return j
	}
	return []byte(strings.TrimRight(b.String(), "\n"))
}

// textValue writes the next value of dec after the label (the key or "-").
func textValue(dec *json.Decoder, b *strings.Builder, depth int, label string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	indent := strings.Repeat("  ", depth)
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			if label != "" {
				fmt.Fprintf(b, "%s%s\n", indent, label)
				depth++
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				if err := textValue(dec, b, depth, fmt.Sprint(k)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case '[':
			var scalars []string
			var nested strings.Builder
			for dec.More() {
				if err := arrayItem(dec, &scalars, &nested, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if nested.Len() == 0 {
				fmt.Fprintf(b, "%s%s [%s]\n", indent, label, strings.Join(scalars, " "))
				return nil
			}
			fmt.Fprintf(b, "%s%s\n%s", indent, label, nested.String())
			return nil
		}
	case string:
		fmt.Fprintf(b, "%s%s %s\n", indent, label, v)
	default:
		fmt.Fprintf(b, "%s%s %v\n", indent, label, v)
	}
	return nil
}

// arrayItem reads one array element: scalars are collected, objects and
// arrays are written as "-" entries.
func arrayItem(dec *json.Decoder, scalars *[]string, nested *strings.Builder, depth int) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		// An object with one key reads best inline: "- prefix 10.0.0.0/24".
		sub := json.NewDecoder(bytes.NewReader(raw))
		sub.UseNumber()
		var inner strings.Builder
		if err := textValue(sub, &inner, 0, ""); err != nil {
			return err
		}
		lines := strings.Split(strings.TrimRight(inner.String(), "\n"), "\n")
		pad := strings.Repeat("  ", depth)
		for i, l := range lines {
			if i == 0 {
				fmt.Fprintf(nested, "%s- %s\n", pad, l)
			} else {
				fmt.Fprintf(nested, "%s  %s\n", pad, l)
			}
		}
		return nil
	}
	var v any
	sd := json.NewDecoder(bytes.NewReader(raw))
	sd.UseNumber()
	if err := sd.Decode(&v); err != nil {
		return err
	}
	*scalars = append(*scalars, fmt.Sprint(v))
	return nil
}
