package inventory

// gNMI connection settings: defaults inheritance, credentials resolution,
// TLS configuration, and redaction of secrets in every printed form.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/backstop-net/backstop/internal/fault"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// DefaultTimeout bounds one device's pull when neither the inventory nor
// the caller sets a timeout.
const DefaultTimeout = 30 * time.Second

// Conn is everything needed to open a gNMI connection to one device, with
// the inventory defaults applied. Its String and LogValue never show a
// password.
type Conn struct {
	Name        string
	Address     string
	TLS         TLS
	Credentials Credentials
	Timeout     time.Duration // 0: the caller's default
}

// Resolve returns the connection settings of the named device: its own TLS,
// credentials and timeout, or the inventory defaults where it sets none.
// Contradictory settings are bad input.
func (inv *Inventory) Resolve(name string) (*Conn, error) {
	d := inv.Device(name)
	if d == nil {
		return nil, fault.Badf("unknown device %q", name)
	}
	c := &Conn{Name: d.Name, Address: d.Address, Credentials: d.Credentials, Timeout: time.Duration(d.Timeout)}
	switch {
	case d.TLS != nil:
		c.TLS = *d.TLS
	case inv.Defaults.TLS != nil:
		c.TLS = *inv.Defaults.TLS
	}
	if c.Credentials.isZero() {
		c.Credentials = inv.Defaults.Credentials
	}
	if c.Timeout == 0 {
		c.Timeout = time.Duration(inv.Defaults.Timeout)
	}
	if c.Address == "" {
		return nil, fault.Badf("device %s (line %d): no address", d.Name, d.Line)
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return nil, fault.Badf("device %s (line %d): address %q is not host:port", d.Name, d.Line, c.Address)
	}
	if err := c.TLS.check(); err != nil {
		return nil, fault.Badf("device %s (line %d): tls: %w", d.Name, d.Line, err)
	}
	if err := c.Credentials.check(); err != nil {
		return nil, fault.Badf("device %s (line %d): credentials: %w", d.Name, d.Line, err)
	}
	return c, nil
}

func (c *Conn) String() string {
	return fmt.Sprintf("%s at %s (%s, %s)", c.Name, c.Address, c.TLS.String(), c.Credentials.String())
}

// LogValue keeps secrets out of structured logs.
func (c *Conn) LogValue() slog.Value {
	return slog.GroupValue(slog.String("device", c.Name), slog.String("address", c.Address),
		slog.String("tls", c.TLS.String()), slog.String("credentials", c.Credentials.String()))
}

// DialOptions returns the grpc options for this device: TLS by default
// (plaintext only when the inventory says insecure), and the username and
// password sent as "username"/"password" metadata on every RPC, the way
// gnmic and gnmi_cli send them.
func (c *Conn) DialOptions() ([]grpc.DialOption, error) {
	var opts []grpc.DialOption
	if c.TLS.Insecure {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	} else {
		cfg, err := c.TLS.Config()
		if err != nil {
			return nil, fault.Badf("device %s: %w", c.Name, err)
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	}
	if c.Credentials.Username != "" {
		pw, err := c.Credentials.Password()
		if err != nil {
			return nil, fault.Badf("device %s: %w", c.Name, err)
		}
		opts = append(opts, grpc.WithPerRPCCredentials(&userPass{user: c.Credentials.Username, pass: pw, secure: !c.TLS.Insecure}))
	}
	return opts, nil
}

// userPass sends the credentials as gRPC metadata.
type userPass struct {
	user, pass string
	secure     bool
}

func (u *userPass) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"username": u.user, "password": u.pass}, nil
}
func (u *userPass) RequireTransportSecurity() bool { return u.secure }
func (u *userPass) String() string                 { return "username=" + u.user + " password=<redacted>" }

// --- credentials ---

func (c Credentials) isZero() bool {
	return c.Username == "" && c.PasswordEnv == "" && c.PasswordFile == "" && c.secret == ""
}

func (c Credentials) check() error {
	if c.PasswordEnv != "" && c.PasswordFile != "" {
		return errors.New("set password_env or password_file, not both")
	}
	if c.Username == "" && (c.PasswordEnv != "" || c.PasswordFile != "" || c.secret != "") {
		return errors.New("a password without a username")
	}
	return nil
}

// Password resolves the password: the environment variable named by
// password_env, or the first line of password_file. No username means no
// password (""). Errors name where the password was looked for, never the
// password.
func (c Credentials) Password() (string, error) {
	switch {
	case c.secret != "":
		return c.secret, nil
	case c.PasswordEnv != "":
		v, ok := os.LookupEnv(c.PasswordEnv)
		if !ok || v == "" {
			return "", fmt.Errorf("password_env: environment variable %s is not set", c.PasswordEnv)
		}
		return v, nil
	case c.PasswordFile != "":
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("password_file: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		line = strings.TrimRight(line, "\r")
		if line == "" {
			return "", fmt.Errorf("password_file %s is empty", c.PasswordFile)
		}
		return line, nil
	}
	return "", nil
}

// String shows where the password comes from, never the password.
func (c Credentials) String() string {
	if c.isZero() {
		return "no credentials"
	}
	src := "no password"
	switch {
	case c.secret != "":
		src = "password <redacted> (targets file)"
	case c.PasswordEnv != "":
		src = "password from $" + c.PasswordEnv
	case c.PasswordFile != "":
		src = "password from file " + c.PasswordFile
	}
	return "username " + c.Username + ", " + src
}

// GoString keeps %#v from printing the secret field.
func (c Credentials) GoString() string { return "inventory.Credentials{" + c.String() + "}" }

// LogValue keeps secrets out of structured logs.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// --- TLS ---

func (t TLS) check() error {
	if t.Insecure && (t.CA != "" || t.Cert != "" || t.Key != "" || t.SkipVerify) {
		return errors.New("insecure (plaintext) together with TLS settings")
	}
	if (t.Cert == "") != (t.Key == "") {
		return errors.New("cert and key go together (mTLS)")
	}
	return nil
}

// String describes the TLS mode without file contents.
func (t TLS) String() string {
	switch {
	case t.Insecure:
		return "plaintext"
	case t.SkipVerify:
		return "TLS without server verification"
	}
	s := "TLS"
	if t.CA != "" {
		s += " (CA " + t.CA + ")"
	} else {
		s += " (system roots)"
	}
	if t.Cert != "" {
		s += " with client certificate"
	}
	return s
}

// LogValue keeps file contents (keys) out of structured logs.
func (t TLS) LogValue() slog.Value { return slog.StringValue(t.String()) }

// Config builds the client TLS configuration: the CA file (or the system
// roots), the client certificate for mTLS, the server name, TLS 1.2 at
// least. Unreadable files are bad input.
func (t TLS) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.SkipVerify}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return nil, fmt.Errorf("tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca %s: no PEM certificate in the file", t.CA)
		}
		cfg.RootCAs = pool
	}
	if t.Cert != "" {
		pair, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			// The error of LoadX509KeyPair never contains key material.
			return nil, fmt.Errorf("tls client certificate %s / key %s: %w", t.Cert, t.Key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
