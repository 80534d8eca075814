/* test-server-identity.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthTest"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>

#include "hearth-certificate-pin.h"
#include "hearth-server-identity.h"
#include "hearth-test-util.h"

#define YEAR_SECONDS (G_GINT64_CONSTANT (365) * 24 * 3600)

/* A data dir with an identity in it, and the paths tests poke at. */
typedef struct
{
  char *tmpdir;
  char *data_dir;
  char *tls_dir;
  char *key_path;
  char *crt_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->tmpdir = hearth_test_make_tmpdir ();
  /* Not there yet: load_or_create() makes it, parents included. */
  fixture->data_dir = g_build_filename (fixture->tmpdir, "state", "hearth", NULL);
  fixture->tls_dir = g_build_filename (fixture->data_dir, "tls", NULL);
  fixture->key_path = g_build_filename (fixture->tls_dir, "server-key.pem", NULL);
  fixture->crt_path = g_build_filename (fixture->tls_dir, "server-cert.pem", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  hearth_test_rm_rf (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->data_dir);
  g_free (fixture->tls_dir);
  g_free (fixture->key_path);
  g_free (fixture->crt_path);
}

static HearthServerIdentity *
create_identity (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HearthServerIdentity *identity;

  identity = hearth_server_identity_load_or_create (fixture->data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  return identity;
}

static char *
read_file (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
stat_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Everything in the TLS directory: names, contents, inodes and mtimes, so
 * that "untouched" means untouched, and a stray temporary file shows. */
static char *
snapshot_tls_dir (const char *tls_dir)
{
  g_autoptr(GString) snapshot = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (tls_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (tls_dir, names->pdata[i], NULL);
      g_autofree char *contents = NULL;
      struct stat st;
      gsize len;

      g_assert_cmpint (lstat (path, &st), ==, 0);
      if (S_ISREG (st.st_mode))
        contents = read_file (path, &len);
      g_string_append_printf (snapshot, "%s ino=%lu mode=%o mtime=%ld.%09ld\n%s\n",
                              (const char *) names->pdata[i],
                              (unsigned long) st.st_ino, (unsigned) st.st_mode,
                              (long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec,
                              contents != NULL ? contents : "");
    }

  return g_string_free (g_steal_pointer (&snapshot), FALSE);
}

static char *
sha256_of_der (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  g_assert_nonnull (der);
  g_assert_cmpuint (der->len, >, 100);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static void
assert_is_fingerprint (const char *fingerprint)
{
  g_assert_nonnull (fingerprint);
  g_assert_cmpuint (strlen (fingerprint), ==, HEARTH_CERTIFICATE_FINGERPRINT_LEN);
  for (const char *p = fingerprint; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
}

static void
test_create (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *recomputed = NULL;
  g_autoptr(GDir) dir = NULL;
  GTlsCertificate *certificate;
  const char *fingerprint;
  guint entries = 0;

  g_assert_false (g_file_test (fixture->data_dir, G_FILE_TEST_EXISTS));

  identity = create_identity (fixture);

  g_assert_cmpuint (stat_mode (fixture->tls_dir), ==, 0700);
  g_assert_cmpuint (stat_mode (fixture->key_path), ==, 0600);
  g_assert_cmpuint (stat_mode (fixture->crt_path), ==, 0600);

  /* Nothing left behind from the atomic writes. */
  dir = g_dir_open (fixture->tls_dir, 0, NULL);
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    entries++;
  g_assert_cmpuint (entries, ==, 2);

  certificate = hearth_server_identity_get_certificate (identity);
  g_assert_true (G_IS_TLS_CERTIFICATE (certificate));

  fingerprint = hearth_server_identity_get_fingerprint (identity);
  assert_is_fingerprint (fingerprint);

  expected = sha256_of_der (certificate);
  g_assert_cmpstr (fingerprint, ==, expected);

  recomputed = hearth_certificate_fingerprint (certificate);
  g_assert_cmpstr (recomputed, ==, expected);
}

static void
test_reload (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) first = create_identity (fixture);
  g_autofree char *before = snapshot_tls_dir (fixture->tls_dir);
  g_autoptr(HearthServerIdentity) second = NULL;
  g_autofree char *after = NULL;

  second = create_identity (fixture);
  after = snapshot_tls_dir (fixture->tls_dir);

  g_assert_cmpstr (hearth_server_identity_get_fingerprint (second), ==,
                   hearth_server_identity_get_fingerprint (first));
  g_assert_true (g_tls_certificate_is_same (hearth_server_identity_get_certificate (first),
                                            hearth_server_identity_get_certificate (second)));
  g_assert_cmpstr (after, ==, before);
}

static void
test_new_identity_differs (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) first = create_identity (fixture);
  g_autofree char *other_dir = g_build_filename (fixture->tmpdir, "other", NULL);
  g_autoptr(HearthServerIdentity) second = NULL;
  g_autoptr(GError) error = NULL;

  second = hearth_server_identity_load_or_create (other_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hearth_server_identity_get_fingerprint (first), !=,
                   hearth_server_identity_get_fingerprint (second));
}

static void
test_private_key (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = create_identity (fixture);
  GTlsCertificate *certificate = hearth_server_identity_get_certificate (identity);
  g_autofree char *key_pem = NULL;
  g_autoptr(GByteArray) key_der = NULL;

  g_object_get (certificate,
                "private-key-pem", &key_pem,
                "private-key", &key_der,
                NULL);
  g_assert_nonnull (key_pem);
  g_assert_true (strstr (key_pem, "PRIVATE KEY-----") != NULL);
  g_assert_nonnull (key_der);
  g_assert_cmpuint (key_der->len, >, 32);
}

static gnutls_x509_crt_t
import_certificate_file (const char *path)
{
  g_autofree char *pem = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  gsize len;

  pem = read_file (path, &len);
  datum.data = (unsigned char *) pem;
  datum.size = len;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  return crt;
}

static void
test_certificate_fields (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = create_identity (fixture);
  g_autofree char *host = g_hostname_to_ascii (g_get_host_name ());
  gnutls_x509_crt_t crt = import_certificate_file (fixture->crt_path);
  gboolean saw_host = FALSE, saw_localhost = FALSE, saw_ipv4 = FALSE, saw_ipv6 = FALSE;
  static const guint8 ipv4_loopback[4] = { 127, 0, 0, 1 };
  static const guint8 ipv6_loopback[16] = { [15] = 1 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  unsigned int key_usage = 0, critical = 0, ca = 1, bits = 0;
  char buf[256];
  size_t size;
  int ret;

  g_assert_cmpint (gnutls_x509_crt_get_version (crt), ==, 3);

  size = sizeof buf;
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt, buf, &size), ==, 0);
  g_assert_cmpuint (size, ==, 16);
  g_assert_cmpuint ((guint8) buf[0] & 0x80, ==, 0);

  size = sizeof buf;
  g_assert_cmpint (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
                                                  buf, &size), ==, 0);
  g_assert_cmpstr (buf, ==, strlen (host) <= 64 ? host : "localhost");

  for (unsigned int i = 0; ; i++)
    {
      size = sizeof buf;
      ret = gnutls_x509_crt_get_subject_alt_name (crt, i, buf, &size, NULL);
      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      g_assert_cmpint (ret, >=, 0);

      if (ret == GNUTLS_SAN_DNSNAME && size == strlen (host) && memcmp (buf, host, size) == 0)
        saw_host = TRUE;
      else if (ret == GNUTLS_SAN_DNSNAME && size == 9 && memcmp (buf, "localhost", 9) == 0)
        saw_localhost = TRUE;
      else if (ret == GNUTLS_SAN_IPADDRESS && size == 4 && memcmp (buf, ipv4_loopback, 4) == 0)
        saw_ipv4 = TRUE;
      else if (ret == GNUTLS_SAN_IPADDRESS && size == 16 && memcmp (buf, ipv6_loopback, 16) == 0)
        saw_ipv6 = TRUE;
      else
        g_assert_not_reached ();
    }
  g_assert_true (saw_host);
  g_assert_true (saw_localhost);
  g_assert_true (saw_ipv4);
  g_assert_true (saw_ipv6);

  g_assert_cmpint (gnutls_x509_crt_get_key_usage (crt, &key_usage, &critical), >=, 0);
  g_assert_cmpuint (key_usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);

  size = sizeof buf;
  g_assert_cmpint (gnutls_x509_crt_get_key_purpose_oid (crt, 0, buf, &size, NULL), ==, 0);
  g_assert_cmpstr (buf, ==, GNUTLS_KP_TLS_WWW_SERVER);
  size = sizeof buf;
  g_assert_cmpint (gnutls_x509_crt_get_key_purpose_oid (crt, 1, buf, &size, NULL), ==,
                   GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

  g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, NULL), >=, 0);
  g_assert_cmpuint (ca, ==, 0);

  g_assert_cmpint (gnutls_x509_crt_get_pk_algorithm (crt, &bits), ==, GNUTLS_PK_ECDSA);
  g_assert_cmpuint (bits, ==, 256);

  g_assert_cmpint (gnutls_x509_crt_get_activation_time (crt), <=, now - 3600 + 5);
  g_assert_cmpint (gnutls_x509_crt_get_activation_time (crt), >=, now - 3600 - 60);
  g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), >=, now + 20 * YEAR_SECONDS - 60);
  g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), <=, now + 20 * YEAR_SECONDS + 6 * 24 * 3600);

  gnutls_x509_crt_deinit (crt);
}

/* Turns a file into a damaged version of itself. */
typedef void (*DamageFunc) (Fixture *fixture);

/* Flips one bit deep inside the base64 body, in the DER, not the armour. */
static void
flip_bit_in (const char *path)
{
  gsize len;
  g_autofree char *pem = read_file (path, &len);
  gsize at = len - 60;

  g_assert_cmpuint (len, >, 200);
  /* Swap one base64 letter for another, so the PEM still decodes and the
   * damage reaches the parser as different DER. */
  pem[at] = pem[at] == 'A' ? 'B' : 'A';
  hearth_test_write_file (path, pem, len);
}

static void
truncate_to_half (const char *path)
{
  gsize len;
  g_autofree char *pem = read_file (path, &len);

  hearth_test_write_file (path, pem, len / 2);
}

static void damage_flip_key (Fixture *f) { flip_bit_in (f->key_path); }
static void damage_flip_crt (Fixture *f) { flip_bit_in (f->crt_path); }
static void damage_truncate_key (Fixture *f) { truncate_to_half (f->key_path); }
static void damage_truncate_crt (Fixture *f) { truncate_to_half (f->crt_path); }
static void damage_empty_key (Fixture *f) { hearth_test_write_file (f->key_path, "", 0); }
static void damage_garbage_crt (Fixture *f) { hearth_test_write_random (f->crt_path, 3000, 7); }
static void damage_remove_key (Fixture *f) { g_assert_cmpint (g_unlink (f->key_path), ==, 0); }
static void damage_remove_crt (Fixture *f) { g_assert_cmpint (g_unlink (f->crt_path), ==, 0); }

/* The key of another identity next to this certificate. */
static void
damage_swap_key (Fixture *f)
{
  g_autofree char *other_dir = g_build_filename (f->tmpdir, "other", NULL);
  g_autofree char *other_key = g_build_filename (other_dir, "tls", "server-key.pem", NULL);
  g_autoptr(HearthServerIdentity) other = NULL;
  g_autofree char *pem = NULL;
  gsize len;

  other = hearth_server_identity_load_or_create (other_dir, NULL);
  g_assert_nonnull (other);
  pem = read_file (other_key, &len);
  hearth_test_write_file (f->key_path, pem, len);
}

static void
test_damaged (Fixture       *fixture,
              gconstpointer  user_data)
{
  DamageFunc damage = (DamageFunc) user_data;
  g_autoptr(HearthServerIdentity) original = create_identity (fixture);
  g_autoptr(HearthServerIdentity) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  damage (fixture);
  before = snapshot_tls_dir (fixture->tls_dir);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      loaded = hearth_server_identity_load_or_create (fixture->data_dir, &error);
      g_assert_null (loaded);
      g_assert_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_CORRUPT);
      g_test_message ("%s", error->message);
      /* The message names the file to look at. */
      g_assert_true (strstr (error->message, fixture->tls_dir) != NULL);
      g_clear_error (&error);
    }

  after = snapshot_tls_dir (fixture->tls_dir);
  g_assert_cmpstr (after, ==, before);
}

static void
test_data_dir_is_a_file (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *file = g_build_filename (fixture->tmpdir, "not-a-dir", NULL);
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  hearth_test_write_file (file, "x", 1);
  identity = hearth_server_identity_load_or_create (file, &error);
  g_assert_null (identity);
  g_assert_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED);
  g_assert_true (strstr (error->message, file) != NULL);
}

static void
test_unwritable_data_dir_subprocess (void)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *tls_dir = NULL;
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_drop_root ())
    return;

  tmpdir = hearth_test_make_tmpdir ();
  tls_dir = g_build_filename (tmpdir, "tls", NULL);
  g_assert_cmpint (g_chmod (tmpdir, 0500), ==, 0);

  identity = hearth_server_identity_load_or_create (tmpdir, &error);
  g_assert_null (identity);
  g_assert_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, tls_dir) != NULL);
  g_assert_false (g_file_test (tls_dir, G_FILE_TEST_EXISTS));

  hearth_test_rm_rf (tmpdir);
}

/* A tls/ that exists but cannot be written into: a clear error, and no
 * half-written files left behind. */
static void
test_unwritable_tls_dir_subprocess (void)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *tls_dir = NULL;
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  if (!hearth_test_drop_root ())
    return;

  tmpdir = hearth_test_make_tmpdir ();
  tls_dir = g_build_filename (tmpdir, "tls", NULL);
  g_assert_cmpint (g_mkdir (tls_dir, 0500), ==, 0);

  identity = hearth_server_identity_load_or_create (tmpdir, &error);
  g_assert_null (identity);
  g_assert_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, tls_dir) != NULL);

  dir = g_dir_open (tls_dir, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));

  hearth_test_rm_rf (tmpdir);
}

static void
test_unwritable_data_dir (void)
{
  hearth_test_run_unprivileged ("/server-identity/unwritable-data-dir/subprocess");
}

static void
test_unwritable_tls_dir (void)
{
  hearth_test_run_unprivileged ("/server-identity/unwritable-tls-dir/subprocess");
}

static void
test_matches (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = create_identity (fixture);
  GTlsCertificate *certificate = hearth_server_identity_get_certificate (identity);
  const char *fingerprint = hearth_server_identity_get_fingerprint (identity);
  g_autofree char *upper = g_ascii_strup (fingerprint, -1);
  g_autofree char *other = g_strdup (fingerprint);
  g_autofree char *short_one = g_strndup (fingerprint, 63);
  g_autofree char *long_one = g_strconcat (fingerprint, "0", NULL);
  g_autofree char *not_hex = g_strdup (fingerprint);

  other[10] = other[10] == '0' ? '1' : '0';
  not_hex[63] = 'g';

  g_assert_true (hearth_certificate_pin_matches (fingerprint, certificate));
  g_assert_true (hearth_certificate_pin_matches (upper, certificate));
  g_assert_false (hearth_certificate_pin_matches (other, certificate));
  g_assert_false (hearth_certificate_pin_matches (short_one, certificate));
  g_assert_false (hearth_certificate_pin_matches (long_one, certificate));
  g_assert_false (hearth_certificate_pin_matches (not_hex, certificate));
  g_assert_false (hearth_certificate_pin_matches ("", certificate));
}

/* A real TLS handshake on loopback: the server presents the identity, the
 * client accepts it only by its pin, as joined devices will. */
typedef struct
{
  GMainLoop      *loop;
  GIOStream      *client_socket;
  const char     *pin;
  guint           pending;
  guint           accept_calls;
  GError         *server_error;
  GError         *client_error;
} Handshake;

static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Handshake *handshake = user_data;

  handshake->accept_calls++;
  /* Self-signed: the system trust store must not vouch for it. */
  g_assert_true (errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  return hearth_certificate_pin_matches (handshake->pin, peer);
}

static void
handshake_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Handshake *handshake = user_data;
  GError **error = G_IS_TLS_SERVER_CONNECTION (object) ? &handshake->server_error
                                                      : &handshake->client_error;

  /* A client that refused the certificate just stops; hang up for it, as
   * its process would, so that the server's handshake ends too. */
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, error) &&
      G_IS_TLS_CLIENT_CONNECTION (object))
    g_io_stream_close (handshake->client_socket, NULL, NULL);

  if (--handshake->pending == 0)
    g_main_loop_quit (handshake->loop);
}

static void
run_handshake (HearthServerIdentity *identity,
               const char           *pin,
               Handshake            *handshake)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) client_socket = NULL;
  g_autoptr(GSocketConnection) server_socket = NULL;
  g_autoptr(GIOStream) server_tls = NULL;
  g_autoptr(GIOStream) client_tls = NULL;
  g_autoptr(GError) error = NULL;
  char reply[6] = { 0 };
  gsize n;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);

  client_socket = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  server_socket = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);

  server_tls = g_tls_server_connection_new (G_IO_STREAM (server_socket),
                                            hearth_server_identity_get_certificate (identity),
                                            &error);
  g_assert_no_error (error);
  client_tls = g_tls_client_connection_new (G_IO_STREAM (client_socket),
                                            G_SOCKET_CONNECTABLE (bound), &error);
  g_assert_no_error (error);

  handshake->loop = g_main_loop_new (NULL, FALSE);
  handshake->pin = pin;
  handshake->client_socket = G_IO_STREAM (client_socket);
  handshake->pending = 2;
  g_signal_connect (client_tls, "accept-certificate", G_CALLBACK (on_accept_certificate), handshake);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (server_tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done_cb, handshake);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (client_tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done_cb, handshake);
  g_main_loop_run (handshake->loop);
  g_clear_pointer (&handshake->loop, g_main_loop_unref);

  if (handshake->client_error == NULL && handshake->server_error == NULL)
    {
      GTlsCertificate *peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (client_tls));

      g_assert_true (g_tls_certificate_is_same (peer, hearth_server_identity_get_certificate (identity)));

      /* Data flows: the server's TLS read needs the client's write. */
      g_output_stream_write_all (g_io_stream_get_output_stream (client_tls), "hello", 5,
                                 &n, NULL, &error);
      g_assert_no_error (error);
      g_input_stream_read_all (g_io_stream_get_input_stream (server_tls), reply, 5,
                               &n, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (reply, ==, "hello");
    }
}

static void
clear_handshake (Handshake *handshake)
{
  g_clear_error (&handshake->server_error);
  g_clear_error (&handshake->client_error);
}

static void
test_handshake_pinned (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = create_identity (fixture);
  Handshake handshake = { 0 };

  run_handshake (identity, hearth_server_identity_get_fingerprint (identity), &handshake);
  g_assert_no_error (handshake.client_error);
  g_assert_no_error (handshake.server_error);
  g_assert_cmpuint (handshake.accept_calls, ==, 1);
  clear_handshake (&handshake);
}

static void
test_handshake_wrong_pin (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(HearthServerIdentity) identity = create_identity (fixture);
  g_autofree char *other_dir = g_build_filename (fixture->tmpdir, "other", NULL);
  g_autoptr(HearthServerIdentity) other = NULL;
  Handshake handshake = { 0 };

  other = hearth_server_identity_load_or_create (other_dir, NULL);
  g_assert_nonnull (other);

  /* The client pinned another server's certificate. */
  run_handshake (identity, hearth_server_identity_get_fingerprint (other), &handshake);
  g_assert_error (handshake.client_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (handshake.server_error);
  g_assert_cmpuint (handshake.accept_calls, ==, 1);
  clear_handshake (&handshake);
}

#define ADD_FIXTURE_TEST(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD_FIXTURE_TEST ("/server-identity/create", test_create, NULL);
  ADD_FIXTURE_TEST ("/server-identity/reload", test_reload, NULL);
  ADD_FIXTURE_TEST ("/server-identity/new-identity-differs", test_new_identity_differs, NULL);
  ADD_FIXTURE_TEST ("/server-identity/private-key", test_private_key, NULL);
  ADD_FIXTURE_TEST ("/server-identity/certificate-fields", test_certificate_fields, NULL);
  ADD_FIXTURE_TEST ("/server-identity/matches", test_matches, NULL);

  ADD_FIXTURE_TEST ("/server-identity/damaged/key-bit-flipped", test_damaged, damage_flip_key);
  ADD_FIXTURE_TEST ("/server-identity/damaged/cert-bit-flipped", test_damaged, damage_flip_crt);
  ADD_FIXTURE_TEST ("/server-identity/damaged/key-truncated", test_damaged, damage_truncate_key);
  ADD_FIXTURE_TEST ("/server-identity/damaged/cert-truncated", test_damaged, damage_truncate_crt);
  ADD_FIXTURE_TEST ("/server-identity/damaged/key-empty", test_damaged, damage_empty_key);
  ADD_FIXTURE_TEST ("/server-identity/damaged/cert-garbage", test_damaged, damage_garbage_crt);
  ADD_FIXTURE_TEST ("/server-identity/damaged/key-missing", test_damaged, damage_remove_key);
  ADD_FIXTURE_TEST ("/server-identity/damaged/cert-missing", test_damaged, damage_remove_crt);
  ADD_FIXTURE_TEST ("/server-identity/damaged/key-of-other-server", test_damaged, damage_swap_key);

  ADD_FIXTURE_TEST ("/server-identity/data-dir-is-a-file", test_data_dir_is_a_file, NULL);
  g_test_add_func ("/server-identity/unwritable-data-dir", test_unwritable_data_dir);
  g_test_add_func ("/server-identity/unwritable-data-dir/subprocess",
                   test_unwritable_data_dir_subprocess);
  g_test_add_func ("/server-identity/unwritable-tls-dir", test_unwritable_tls_dir);
  g_test_add_func ("/server-identity/unwritable-tls-dir/subprocess",
                   test_unwritable_tls_dir_subprocess);

  ADD_FIXTURE_TEST ("/server-identity/handshake/pinned", test_handshake_pinned, NULL);
  ADD_FIXTURE_TEST ("/server-identity/handshake/wrong-pin", test_handshake_wrong_pin, NULL);

  return g_test_run ();
}
