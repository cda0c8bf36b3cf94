// Package fault classifies errors by who must act on them, so the command line
// can map every failure to its documented exit code: bad input (4), device
// access (5), or an internal error (1). It sits below every pipeline stage.
package fault

import (
	"errors"
	"fmt"
)

// Kind is the class of a failure.
type Kind int

const (
	Internal Kind = iota // a bug or an unexpected condition: exit 1
	BadInput             // files, flags, policy, change: exit 4
	Access               // a device could not be reached, authenticated or read: exit 5
)

// Error carries a Kind with the wrapped error.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Badf returns a bad-input error.
func Badf(format string, args ...any) error {
	return &Error{Kind: BadInput, Err: fmt.Errorf(format, args...)}
}

// Accessf returns a device-access error.
func Accessf(format string, args ...any) error {
	return &Error{Kind: Access, Err: fmt.Errorf(format, args...)}
}

// Bad marks err as bad input (nil stays nil).
func Bad(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: BadInput, Err: err}
}

// KindOf returns the kind of the outermost classified error in err's chain.
// Unclassified errors are internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ExitCode maps an error to the documented exit code.
func ExitCode(err error) int {
	switch KindOf(err) {
	case BadInput:
		return 4
	case Access:
		return 5
	}
	return 1
}
