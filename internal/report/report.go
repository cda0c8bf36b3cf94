// Package report renders a verdict where people and tools read it: a terminal
// (text), programs (json), pull-request comments (markdown), CI test views
// (junit), code-scanning (sarif) and a self-contained page with the backbone
// drawn before and after (html).
//
// Stage: the last one, after verdict. Input: a *verdict.Report, already
// complete and deterministic. Output: bytes in one of Formats, written to an
// io.Writer (Write) or every format into a folder (WriteDir). The package
// decides nothing: it never changes the verdict, only shows it, so every
// format of the same Report tells the same story.
package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/verdict"
)

// Formats are the names accepted by Write, in the order WriteDir writes them.
var Formats = []string{"text", "json", "markdown", "junit", "sarif", "html"}

// FileNames are the files WriteDir writes, one per format. They are part of
// the CLI contract (docs/ci.md uploads them by name).
var FileNames = map[string]string{
	"text":     "backstop.txt",
	"json":     "backstop.json",
	"markdown": "backstop.md",
	"junit":    "backstop-junit.xml",
	"sarif":    "backstop.sarif",
	"html":     "backstop.html",
}

// Write renders r in the given format. An unknown format is bad input (exit 4).
func Write(w io.Writer, format string, r *verdict.Report) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	var render func(io.Writer, *verdict.Report) error
	switch format {
	case "text", "":
		render = writeText
	case "json":
		render = writeJSON
	case "markdown", "md":
		render = writeMarkdown
	case "junit":
		render = writeJUnit
	case "sarif":
		render = writeSARIF
	case "html":
		render = writeHTML
	default:
		return fault.Badf("unknown output format %q (want one of text, json, markdown, junit, sarif, html)", format)
	}
	// Buffer so that a renderer's many small writes cost one syscall each 4 KiB,
	// and so a write error surfaces once, from Flush.
	bw := bufio.NewWriter(w)
	if err := render(bw, r); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteDir writes every format into dir (created if missing) under FileNames,
// and returns the paths written, in Formats order. A failure to create or
// write a file is an internal error: the inputs were fine, the output was not.
func WriteDir(dir string, r *verdict.Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range Formats {
		p := filepath.Join(dir, FileNames[f])
		if err := writeFile(p, f, r); err != nil {
			return paths, fmt.Errorf("report: writing %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func writeFile(path, format string, r *verdict.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, format, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
