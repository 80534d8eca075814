/* test-invite-code.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthTest"

#include "config.h"

#include <string.h>

#include "hearth-invite-code.h"
#include "hearth-test-util.h"

#define FP     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define FP_UC  "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
#define SECRET "q2-Z_0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789A"
#define QUERY  "?fp=" FP "&secret=" SECRET

static void
assert_code (const HearthInviteCode *code,
             const char             *host,
             guint16                 port)
{
  g_assert_nonnull (code);
  g_assert_cmpstr (code->host, ==, host);
  g_assert_cmpuint (code->port, ==, port);
  g_assert_cmpstr (code->fingerprint, ==, FP);
  g_assert_cmpstr (code->secret, ==, SECRET);
}

static void
test_to_string (void)
{
  static const struct {
    const char *host;
    guint16     port;
    const char *text;
  } cases[] = {
    { "hearth.example.org", 4327,  "hearth://hearth.example.org/join" QUERY },
    { "hearth.example.org", 443,   "hearth://hearth.example.org:443/join" QUERY },
    { "192.168.1.20",       4327,  "hearth://192.168.1.20/join" QUERY },
    { "192.168.1.20",       65535, "hearth://192.168.1.20:65535/join" QUERY },
    { "fd00::1",            4327,  "hearth://[fd00::1]/join" QUERY },
    { "2001:db8::20",       8443,  "hearth://[2001:db8::20]:8443/join" QUERY },
  };

  g_assert_cmpuint (strlen (FP), ==, 64);
  g_assert_cmpuint (strlen (SECRET), ==, HEARTH_INVITE_CODE_SECRET_LEN);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthInviteCode) code = hearth_invite_code_new (cases[i].host, cases[i].port, FP, SECRET);
      g_autofree char *text = hearth_invite_code_to_string (code);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_round_trip (void)
{
  static const struct {
    const char *host;
    guint16     port;
  } cases[] = {
    { "hearth.example.org", 4327 },
    { "hearth.example.org", 1 },
    { "nas", 4327 },
    { "xn--bcher-kva.example", 4328 },
    { "10.0.0.2", 4327 },
    { "10.0.0.2", 65535 },
    { "::1", 4327 },
    { "2001:db8::20", 8443 },
    { "::ffff:192.0.2.1", 4327 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthInviteCode) code = hearth_invite_code_new (cases[i].host, cases[i].port, FP, SECRET);
      g_autofree char *text = hearth_invite_code_to_string (code);
      g_autoptr(HearthInviteCode) parsed = NULL;
      g_autofree char *again = NULL;
      g_autoptr(GError) error = NULL;

      parsed = hearth_invite_code_parse (text, &error);
      g_assert_no_error (error);
      assert_code (parsed, cases[i].host, cases[i].port);

      again = hearth_invite_code_to_string (parsed);
      g_assert_cmpstr (again, ==, text);
    }
}

static void
test_server_url (void)
{
  static const struct {
    const char *host;
    guint16     port;
    const char *url;
  } cases[] = {
    { "hearth.example.org", 4327, "https://hearth.example.org:4327" },
    { "192.168.1.20",       8443, "https://192.168.1.20:8443" },
    { "2001:db8::20",       4327, "https://[2001:db8::20]:4327" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthInviteCode) code = hearth_invite_code_new (cases[i].host, cases[i].port, FP, SECRET);
      g_autofree char *url = hearth_invite_code_dup_server_url (code);

      g_assert_cmpstr (url, ==, cases[i].url);
    }
}

static void
test_parse_lenient (void)
{
  static const struct {
    const char *text;
    const char *host;
    guint16     port;
  } cases[] = {
    { "  \r\n\thearth://nas/join" QUERY "\r\n", "nas", 4327 },
    { "hearth://nas:4400/join?fp=" FP_UC "&secret=" SECRET "\n", "nas", 4400 },
    { "HEARTH://nas/join" QUERY, "nas", 4327 },
    { "hearth://nas:/join" QUERY, "nas", 4327 },
    { "hearth://nas/join?secret=" SECRET "&fp=" FP, "nas", 4327 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HearthInviteCode) code = hearth_invite_code_parse (cases[i].text, &error);

      g_assert_no_error (error);
      assert_code (code, cases[i].host, cases[i].port);
    }
}

static void
test_parse_data (void)
{
  static const char valid[] = "hearth://nas/join" QUERY;
  static const char with_nul[] = "hearth://nas/join" QUERY "\0&x=1";
  g_autoptr(HearthInviteCode) code = NULL;
  g_autoptr(GError) error = NULL;

  code = hearth_invite_code_parse_data (valid, strlen (valid), &error);
  g_assert_no_error (error);
  assert_code (code, "nas", 4327);

  g_clear_pointer (&code, hearth_invite_code_free);
  code = hearth_invite_code_parse_data (with_nul, sizeof with_nul - 1, &error);
  g_assert_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID);
  g_assert_null (code);
  g_assert_nonnull (strstr (error->message, "control characters"));
}

static char *
overlong_host_code (void)
{
  g_autofree char *host = g_strnfill (HEARTH_INVITE_CODE_MAX_INPUT, 'a');

  return g_strdup_printf ("hearth://%s/join" QUERY, host);
}

static char *
padded_code (void)
{
  g_autofree char *padding = g_strnfill (HEARTH_INVITE_CODE_MAX_INPUT, ' ');

  return g_strdup_printf ("hearth://nas/join" QUERY "%s", padding);
}

static char *
long_label_code (void)
{
  g_autofree char *label = g_strnfill (64, 'a');

  return g_strdup_printf ("hearth://%s.example/join" QUERY, label);
}

static void
test_reject (void)
{
  static const struct {
    const char *text;
    const char *reason;  /* part of the message */
  } cases[] = {
    /* not one at all */
    { "", "empty" },
    { " \n ", "empty" },
    { "nas", "does not start with" },
    { "https://nas:4327/join" QUERY, "“https:”" },
    { "hearthx://nas/join" QUERY, "“hearthx:”" },
    /* host */
    { "hearth:/join" QUERY, "names no server" },
    { "hearth:///join" QUERY, "names no server" },
    { "hearth://na_s/join" QUERY, "not a server name" },
    { "hearth://-nas/join" QUERY, "not a server name" },
    { "hearth://nas./join" QUERY, "not a server name" },
    { "hearth://a..b/join" QUERY, "not a server name" },
    { "hearth://10.0.0.256/join" QUERY, "not a server name" },
    { "hearth://[::g]/join" QUERY, "Invalid IPv6" },
    { "hearth://[1.2.3.4]/join" QUERY, "Invalid IPv6" },
    { "hearth://[::1/join" QUERY, "Invalid IPv6" },
    { "hearth://[fe80::1%25eth0]/join" QUERY, "“%”" },
    { "hearth://b%C3%BCcher.example/join" QUERY, "“%”" },
    { "hearth://bücher.example/join" QUERY, "other than letters" },
    /* port */
    { "hearth://nas:0/join" QUERY, "port" },
    { "hearth://nas:65536/join" QUERY, "port" },
    { "hearth://nas:99999999999/join" QUERY, "port" },
    { "hearth://nas:http/join" QUERY, "port" },
    { "hearth://nas:-1/join" QUERY, "port" },
    { "hearth://nas:+80/join" QUERY, "port" },
    /* userinfo, fragment */
    { "hearth://admin@nas/join" QUERY, "user name" },
    { "hearth://admin:pw@nas/join" QUERY, "user name" },
    { "hearth://nas/join" QUERY "#top", "“#”" },
    { "hearth://nas/join" QUERY "#", "“#”" },
    /* path */
    { "hearth://nas", "incomplete" },
    { "hearth://nas" QUERY, "incomplete" },
    { "hearth://nas/", "“/”" },
    { "hearth://nas/Join" QUERY, "“/Join”" },
    { "hearth://nas/join/" QUERY, "“/join/”" },
    { "hearth://nas/join2" QUERY, "“/join2”" },
    /* query */
    { "hearth://nas/join", "fingerprint is missing" },
    { "hearth://nas/join?", "fingerprint is missing" },
    { "hearth://nas/join?secret=" SECRET, "fingerprint is missing" },
    { "hearth://nas/join?fp=" FP, "secret is missing" },
    { "hearth://nas/join?fp=" FP "&", "name=value" },
    { "hearth://nas/join?fp=" FP "&&secret=" SECRET, "name=value" },
    { "hearth://nas/join?fp&secret=" SECRET, "name=value" },
    { "hearth://nas/join" QUERY "&fp=" FP, "fingerprint twice" },
    { "hearth://nas/join" QUERY "&secret=" SECRET, "secret twice" },
    { "hearth://nas/join" QUERY "&expires=2026-01-01", "newer Hearth" },
    { "hearth://nas/join?FP=" FP "&secret=" SECRET, "newer Hearth" },
    /* fingerprint */
    { "hearth://nas/join?fp=&secret=" SECRET, "fingerprint is cut short" },
    { "hearth://nas/join?fp=9f86d0&secret=" SECRET, "fingerprint is cut short" },
    { "hearth://nas/join?fp=" FP "0&secret=" SECRET, "not 64 hexadecimal" },
    { "hearth://nas/join?fp=" "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g" "&secret=" SECRET, "not 64 hexadecimal" },
    { "hearth://nas/join?fp=9f86:d0&secret=" SECRET, "not 64 hexadecimal" },
    /* secret */
    { "hearth://nas/join?fp=" FP "&secret=", "secret is cut short" },
    { "hearth://nas/join?fp=" FP "&secret=q2-Z_0aB", "secret is cut short" },
    { "hearth://nas/join?fp=" FP "&secret=" SECRET "A", "secret is not 43" },
    { "hearth://nas/join?fp=" FP "&secret=q2+Z/0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789A", "secret is not 43" },
    { "hearth://nas/join?fp=" FP "&secret=q2-Z_0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789=", "secret is not 43" },
    /* characters */
    { "hearth://nas/join?fp=" FP "\n&secret=" SECRET, "line breaks" },
    { "hearth://nas/join?fp=" FP " &secret=" SECRET, "line breaks" },
    { "hearth://nas/join\x01" QUERY, "control characters" },
    { "hearth://nas/join" QUERY "\x7f", "control characters" },
    { "hearth://nas/join" QUERY "\xff", "other than letters" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HearthInviteCode) code = hearth_invite_code_parse (cases[i].text, &error);
      g_autofree char *escaped = g_strescape (cases[i].text, NULL);

      g_test_message ("%s", escaped);
      g_assert_null (code);
      g_assert_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("“%s”: message “%s” does not say “%s”",
                 escaped, error->message, cases[i].reason);
    }
}

static void
test_reject_overlong (void)
{
  char *(*makers[]) (void) = { overlong_host_code, padded_code, long_label_code };

  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    {
      g_autofree char *text = makers[i] ();
      g_autoptr(GError) error = NULL;
      g_autoptr(HearthInviteCode) code = hearth_invite_code_parse (text, &error);

      g_assert_null (code);
      g_assert_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID);
    }
}

static void
test_new_normalizes_fingerprint (void)
{
  g_autoptr(HearthInviteCode) code = hearth_invite_code_new ("nas", 4327, FP_UC, SECRET);

  assert_code (code, "nas", 4327);
}

static void
expect_rejected_new (const char *host,
                     guint16     port,
                     const char *fingerprint,
                     const char *secret)
{
  HearthInviteCode *code;

  g_test_expect_message ("HearthEngine", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  code = hearth_invite_code_new (host, port, fingerprint, secret);
  g_test_assert_expected_messages ();
  g_assert_null (code);
}

static void
test_new_rejects_bad_input (void)
{
  expect_rejected_new ("[::1]", 4327, FP, SECRET);
  expect_rejected_new ("", 4327, FP, SECRET);
  expect_rejected_new ("fe80::1%eth0", 4327, FP, SECRET);
  expect_rejected_new ("user@nas", 4327, FP, SECRET);
  expect_rejected_new ("nas", 0, FP, SECRET);
  expect_rejected_new ("nas", 4327, "9f86d0", SECRET);
  expect_rejected_new ("nas", 4327, FP, "short");
  expect_rejected_new ("nas", 4327, FP, SECRET "=");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/invite-code/to-string", test_to_string);
  g_test_add_func ("/invite-code/round-trip", test_round_trip);
  g_test_add_func ("/invite-code/server-url", test_server_url);
  g_test_add_func ("/invite-code/parse/lenient", test_parse_lenient);
  g_test_add_func ("/invite-code/parse/data", test_parse_data);
  g_test_add_func ("/invite-code/parse/reject", test_reject);
  g_test_add_func ("/invite-code/parse/reject-overlong", test_reject_overlong);
  g_test_add_func ("/invite-code/new/normalizes-fingerprint", test_new_normalizes_fingerprint);
  g_test_add_func ("/invite-code/new/rejects-bad-input", test_new_rejects_bad_input);

  return g_test_run ();
}
