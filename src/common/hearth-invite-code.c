/* hearth-invite-code.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "hearth-certificate-pin.h"
#include "hearth-invite-code.h"

#define SCHEME    "hearth"
#define JOIN_PATH "/join"

#define DNS_NAME_MAX_LEN  253
#define DNS_LABEL_MAX_LEN 63

G_DEFINE_QUARK (hearth-invite-code-error-quark, hearth_invite_code_error)

static gsize
count_leading (const char *s,
               gsize       len,
               gboolean  (*pred) (char c))
{
  gsize n = 0;

  while (n < len && pred (s[n]))
    n++;

  return n;
}

static gboolean
is_hex_digit (char c)
{
  return g_ascii_isxdigit (c);
}

static gboolean
is_base64url_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

static gboolean
is_fingerprint (const char *s)
{
  gsize len = strlen (s);

  return len == HEARTH_CERTIFICATE_FINGERPRINT_LEN &&
         count_leading (s, len, is_hex_digit) == len;
}

static gboolean
is_secret (const char *s)
{
  gsize len = strlen (s);

  return len == HEARTH_INVITE_CODE_SECRET_LEN &&
         count_leading (s, len, is_base64url_char) == len;
}

static gboolean
is_dns_label (const char *label,
              gsize       len)
{
  if (len == 0 || len > DNS_LABEL_MAX_LEN)
    return FALSE;
  if (label[0] == '-' || label[len - 1] == '-')
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-')
      return FALSE;

  return TRUE;
}

/* Letters, digits and hyphens (an international name in its xn-- form).
 * A name whose last label is all digits is a mistyped IPv4 address. */
static gboolean
is_dns_name (const char *host)
{
  gsize len = strlen (host);
  const char *label = host;
  const char *last_label = host;

  if (len == 0 || len > DNS_NAME_MAX_LEN)
    return FALSE;

  for (const char *dot = strchr (label, '.'); ; dot = strchr (label, '.'))
    {
      gsize label_len = dot != NULL ? (gsize) (dot - label) : strlen (label);

      if (!is_dns_label (label, label_len))
        return FALSE;
      last_label = label;
      if (dot == NULL)
        break;
      label = dot + 1;
    }

  return strspn (last_label, "0123456789") != strlen (last_label);
}

/* Without a zone ("%eth0"): a zone names an interface of one machine and
 * means nothing on the machine that reads the code. */
static gboolean
is_ipv6_address (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (strchr (host, '%') != NULL)
    return FALSE;

  address = g_inet_address_new_from_string (host);
  return address != NULL &&
         g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
}

static gboolean
is_host (const char *host)
{
  if (strchr (host, ':') != NULL)
    return is_ipv6_address (host);

  return g_hostname_is_ip_address (host) || is_dns_name (host);
}

static HearthInviteCode *
invite_code_new (const char *host,
                 guint16     port,
                 const char *fingerprint,
                 const char *secret)
{
  HearthInviteCode *code = g_new0 (HearthInviteCode, 1);

  code->host = g_strdup (host);
  code->port = port;
  code->fingerprint = g_ascii_strdown (fingerprint, -1);
  code->secret = g_strdup (secret);

  return code;
}

/**
 * hearth_invite_code_new:
 * @host: a DNS name, an IPv4 address or an IPv6 address without brackets
 * @port: the server's port, not 0
 * @fingerprint: the server certificate's SHA-256, 64 hex digits (either
 *   case; kept in lower case)
 * @secret: the invite's secret, %HEARTH_INVITE_CODE_SECRET_LEN base64url
 *   characters
 *
 * Returns: (transfer full): a new invite code
 */
HearthInviteCode *
hearth_invite_code_new (const char *host,
                        guint16     port,
                        const char *fingerprint,
                        const char *secret)
{
  g_return_val_if_fail (host != NULL && is_host (host), NULL);
  g_return_val_if_fail (port != 0, NULL);
  g_return_val_if_fail (fingerprint != NULL && is_fingerprint (fingerprint), NULL);
  g_return_val_if_fail (secret != NULL && is_secret (secret), NULL);

  return invite_code_new (host, port, fingerprint, secret);
}

void
hearth_invite_code_free (HearthInviteCode *code)
{
  if (code == NULL)
    return;

  g_free (code->host);
  g_free (code->fingerprint);
  g_free (code->secret);
  g_free (code);
}

static char *
dup_host_for_uri (const char *host)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]", host);

  return g_strdup (host);
}

/**
 * hearth_invite_code_to_string:
 * @code: an invite code
 *
 * Returns: (transfer full): @code as one line,
 *   `hearth://HOST[:PORT]/join?fp=FINGERPRINT&secret=SECRET`, the port
 *   left out when it is the default
 */
char *
hearth_invite_code_to_string (const HearthInviteCode *code)
{
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  host = dup_host_for_uri (code->host);
  port = code->port == HEARTH_INVITE_CODE_DEFAULT_PORT
           ? g_strdup ("")
           : g_strdup_printf (":%u", (guint) code->port);

  return g_strdup_printf (SCHEME "://%s%s" JOIN_PATH "?fp=%s&secret=%s",
                          host, port, code->fingerprint, code->secret);
}

/**
 * hearth_invite_code_dup_server_url:
 * @code: an invite code
 *
 * Returns: (transfer full): the server's base URL, `https://HOST:PORT`,
 *   port always included
 */
char *
hearth_invite_code_dup_server_url (const HearthInviteCode *code)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  host = dup_host_for_uri (code->host);
  return g_strdup_printf ("https://%s:%u", host, (guint) code->port);
}

static gboolean
fail (GError     **error,
      const char  *message)
{
  g_set_error_literal (error, HEARTH_INVITE_CODE_ERROR,
                       HEARTH_INVITE_CODE_ERROR_INVALID, message);
  return FALSE;
}

/* Checks each byte of a trimmed code before any parser sees it, so that
 * what a person pasted by mistake is named plainly. */
static gboolean
check_characters (const char  *text,
                  gsize        len,
                  GError     **error)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (g_ascii_isspace (c))
        return fail (error, _("This is not a Hearth invite code: it has spaces or line breaks inside it. Paste it again as one line"));
      if (c < 0x20 || c == 0x7f)
        return fail (error, _("This is not a Hearth invite code: it contains control characters"));
      if (c >= 0x80)
        return fail (error, _("This is not a Hearth invite code: it contains characters other than letters, digits and punctuation"));
      /* xgettext:no-c-format */
      if (c == '%')
        return fail (error, _("This is not a Hearth invite code: it contains “%”, which invite codes never have"));
    }

  return TRUE;
}

static gboolean
check_scheme (const char  *text,
              GError     **error)
{
  const char *scheme = g_uri_peek_scheme (text);

  if (scheme == NULL)
    return fail (error, _("This is not a Hearth invite code: it does not start with “hearth://”"));

  if (strcmp (scheme, SCHEME) != 0)
    {
      g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                   _("This is not a Hearth invite code: it starts with “%s:” instead of “hearth://”"),
                   scheme);
      return FALSE;
    }

  return TRUE;
}

static GUri *
parse_uri (const char  *text,
           GError     **error)
{
  g_autoptr(GError) uri_error = NULL;
  GUri *uri;

  /* ENCODED: nothing is decoded, so what is checked below is what was
   * written. check_characters() has refused every “%” already. */
  uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, &uri_error);
  if (uri != NULL)
    return uri;

  if (g_error_matches (uri_error, G_URI_ERROR, G_URI_ERROR_BAD_PORT))
    fail (error, _("This is not a Hearth invite code: its port is not a number from 1 to 65535"));
  else
    g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                 _("This is not a Hearth invite code: %s"), uri_error->message);
  return NULL;
}

static gboolean
check_server (GUri     *uri,
              guint16  *port,
              GError  **error)
{
  const char *host = g_uri_get_host (uri);
  int uri_port = g_uri_get_port (uri);

  if (g_uri_get_userinfo (uri) != NULL)
    return fail (error, _("This is not a Hearth invite code: it has a user name before the server’s address"));

  if (g_uri_get_fragment (uri) != NULL)
    return fail (error, _("This is not a Hearth invite code: it has a “#” part at the end that invite codes never have"));

  if (host == NULL || host[0] == '\0')
    return fail (error, _("This is not a Hearth invite code: it names no server"));

  if (!is_host (host))
    {
      g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                   _("This is not a Hearth invite code: “%s” is not a server name or address"),
                   host);
      return FALSE;
    }

  if (uri_port == 0)
    return fail (error, _("This is not a Hearth invite code: its port is not a number from 1 to 65535"));

  *port = uri_port < 0 ? HEARTH_INVITE_CODE_DEFAULT_PORT : (guint16) uri_port;
  return TRUE;
}

static gboolean
check_path (GUri    *uri,
            GError **error)
{
  const char *path = g_uri_get_path (uri);

  if (path[0] == '\0')
    return fail (error, _("The invite code is incomplete: it ends after the server’s address — copy the whole code"));

  if (strcmp (path, JOIN_PATH) != 0)
    {
      g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                   _("This is not a Hearth invite code: it leads to “%s” instead of “/join”"),
                   path);
      return FALSE;
    }

  return TRUE;
}

/* Split by hand rather than with g_uri_parse_params(), which keeps only
 * one value of a repeated name: a repeated name is an error here. */
static gboolean
parse_query (const char  *query,
             char       **fingerprint,
             char       **secret,
             GError     **error)
{
  g_auto(GStrv) params = NULL;

  if (query == NULL || query[0] == '\0')
    return TRUE;

  params = g_strsplit (query, "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      char *equals = strchr (params[i], '=');
      const char *name = params[i];
      const char *value;

      if (equals == NULL)
        {
          g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                       _("This is not a Hearth invite code: “%s” in it is not of the form name=value"),
                       params[i]);
          return FALSE;
        }
      *equals = '\0';
      value = equals + 1;

      if (strcmp (name, "fp") == 0)
        {
          if (*fingerprint != NULL)
            return fail (error, _("This is not a Hearth invite code: it gives the certificate fingerprint twice"));
          *fingerprint = g_strdup (value);
        }
      else if (strcmp (name, "secret") == 0)
        {
          if (*secret != NULL)
            return fail (error, _("This is not a Hearth invite code: it gives the secret twice"));
          *secret = g_strdup (value);
        }
      else
        {
          /* A later version changes the format under a new path or
           * scheme, never by adding names that v1 would skip: a name v1
           * does not know may carry a condition of joining. */
          g_set_error (error, HEARTH_INVITE_CODE_ERROR, HEARTH_INVITE_CODE_ERROR_INVALID,
                       _("This invite code has a part this version of Hearth does not know (“%s”). It may come from a newer Hearth: update Hearth and try again"),
                       name);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_fingerprint (const char  *fingerprint,
                   GError     **error)
{
  gsize len;

  if (fingerprint == NULL)
    return fail (error, _("The invite code is incomplete: the certificate fingerprint is missing — copy the whole code"));

  if (is_fingerprint (fingerprint))
    return TRUE;

  len = strlen (fingerprint);
  if (len < HEARTH_CERTIFICATE_FINGERPRINT_LEN &&
      count_leading (fingerprint, len, is_hex_digit) == len)
    return fail (error, _("The invite code is incomplete: the certificate fingerprint is cut short — copy the whole code"));

  return fail (error, _("This is not a Hearth invite code: the certificate fingerprint is not 64 hexadecimal digits"));
}

static gboolean
check_secret (const char  *secret,
              GError     **error)
{
  gsize len;

  if (secret == NULL)
    return fail (error, _("The invite code is incomplete: the secret is missing — copy the whole code"));

  if (is_secret (secret))
    return TRUE;

  len = strlen (secret);
  if (len < HEARTH_INVITE_CODE_SECRET_LEN &&
      count_leading (secret, len, is_base64url_char) == len)
    return fail (error, _("The invite code is incomplete: the secret is cut short — copy the whole code"));

  return fail (error, _("This is not a Hearth invite code: the secret is not 43 letters, digits, “-” or “_”"));
}

/**
 * hearth_invite_code_parse_data:
 * @data: what a person pasted or a scanner read, not necessarily
 *   nul-terminated
 * @length: the length of @data in bytes
 * @error: return location for a #HEARTH_INVITE_CODE_ERROR
 *
 * Like hearth_invite_code_parse(), for input that comes with a length
 * (a QR decoder's bytes, a file): a nul byte in it is refused rather than
 * ending the code early.
 *
 * Returns: (transfer full) (nullable): the invite code, or %NULL with
 *   @error set
 */
HearthInviteCode *
hearth_invite_code_parse_data (const char  *data,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *secret = NULL;
  guint16 port;
  gsize start, end;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > HEARTH_INVITE_CODE_MAX_INPUT)
    {
      fail (error, _("This is not a Hearth invite code: it is much longer than one"));
      return NULL;
    }

  start = 0;
  end = length;
  while (start < end && g_ascii_isspace (data[start]))
    start++;
  while (end > start && g_ascii_isspace (data[end - 1]))
    end--;

  if (start == end)
    {
      fail (error, _("The invite code is empty: paste or type the code you were given"));
      return NULL;
    }

  if (!check_characters (data + start, end - start, error))
    return NULL;

  text = g_strndup (data + start, end - start);

  if (!check_scheme (text, error))
    return NULL;

  uri = parse_uri (text, error);
  if (uri == NULL)
    return NULL;

  if (!check_server (uri, &port, error) ||
      !check_path (uri, error) ||
      !parse_query (g_uri_get_query (uri), &fingerprint, &secret, error) ||
      !check_fingerprint (fingerprint, error) ||
      !check_secret (secret, error))
    return NULL;

  return invite_code_new (g_uri_get_host (uri), port, fingerprint, secret);
}

/**
 * hearth_invite_code_parse:
 * @text: what a person pasted, typed or scanned
 * @error: return location for a #HEARTH_INVITE_CODE_ERROR
 *
 * Reads an invite code in the form hearth_invite_code_to_string() writes.
 * Whitespace around it is ignored and the fingerprint may be in upper
 * case; anything else that is not exactly that form is refused with
 * %HEARTH_INVITE_CODE_ERROR_INVALID and a message to show the person.
 *
 * Returns: (transfer full) (nullable): the invite code, or %NULL with
 *   @error set
 */
HearthInviteCode *
hearth_invite_code_parse (const char  *text,
                          GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  /* strnlen(): a runaway string is refused without reading all of it. */
  return hearth_invite_code_parse_data (text,
                                        strnlen (text, HEARTH_INVITE_CODE_MAX_INPUT + 1),
                                        error);
}
