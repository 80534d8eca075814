/* hearth-server-identity.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthServer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-certificate-pin.h"
#include "hearth-server-identity.h"

/* The server's TLS identity: a key and a self-signed certificate that it
 * made itself on first start, in DATA_DIR/tls/. Clients do not trust it
 * through any CA; an invite code carries the SHA-256 of the certificate and
 * a joining device pins it. Everything here follows from that: the one
 * thing that must never change is the certificate's DER encoding. */

#define TLS_DIR_NAME  "tls"
#define KEY_FILE_NAME "server-key.pem"
#define CRT_FILE_NAME "server-cert.pem"

/* A PEM key or certificate is a few kB; anything much larger is not ours,
 * and is not read into memory. */
#define MAX_PEM_FILE_SIZE (256 * 1024)

/* X.520 upper bound for a commonName. */
#define MAX_COMMON_NAME_LEN 64


struct _HearthServerIdentity
{
  GObject          parent_instance;

  GTlsCertificate *certificate;
  char            *fingerprint;
};

G_DEFINE_FINAL_TYPE (HearthServerIdentity, hearth_server_identity, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-server-identity-error-quark, hearth_server_identity_error)

static void
clear_datum (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, clear_datum)

/* gnutls_strerror() ends its sentences with a full stop; our messages
 * go on after the reason. */
static char *
dup_gnutls_reason (int ret)
{
  char *reason = g_strdup (gnutls_strerror (ret));
  gsize len = strlen (reason);

  if (len > 0 && reason[len - 1] == '.')
    reason[len - 1] = '\0';
  return reason;
}

/* Sets @error for a failed GnuTLS call while creating the identity and
 * returns FALSE, so that callers can `return gnutls_failed (…)`. */
static gboolean
gnutls_failed (int          ret,
               const char  *what,
               GError     **error)
{
  g_autofree char *reason = dup_gnutls_reason (ret);

  g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
               _("Could not create the server's TLS identity (%s): %s"),
               what, reason);
  return FALSE;
}


/* The host name for the certificate's CN and first SAN, in ASCII (IDNA)
 * form as DNS names must be in a certificate. Clients accept the
 * certificate by its pin, not by name, so this is for people reading it. */
static char *
dup_certificate_host_name (void)
{
  g_autofree char *ascii = g_hostname_to_ascii (g_get_host_name ());

  if (ascii == NULL || ascii[0] == '\0' || strlen (ascii) > MAX_COMMON_NAME_LEN)
    return g_strdup ("localhost");

  return g_steal_pointer (&ascii);
}

static int
add_ip_san (gnutls_x509_crt_t crt,
            GSocketFamily     family)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);

  return gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                               g_inet_address_to_bytes (loopback),
                                               g_inet_address_get_native_size (loopback),
                                               GNUTLS_FSAN_APPEND);
}

/* Makes a new key and a certificate for it, both PEM encoded. */
static gboolean
generate_identity (gnutls_datum_t  *key_pem,
                   gnutls_datum_t  *crt_pem,
                   GError         **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_after = g_date_time_add_years (now, 20);
  g_autofree char *host_name = dup_certificate_host_name ();
  guint8 serial[16];
  int ret;

  /* ECDSA P-256 rather than Ed25519 or RSA: every TLS stack accepts it (Ed25519
   * certificates are refused by browsers, and the status page is meant to be
   * opened in one), it is fast to sign handshakes with and small, and key
   * generation takes milliseconds where RSA-3072 takes seconds. */
  if ((ret = gnutls_x509_privkey_init (&key)) < 0 ||
      (ret = gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                           GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                           0)) < 0)
    return gnutls_failed (ret, "key generation", error);

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_key (crt, key)) < 0)
    return gnutls_failed (ret, "certificate", error);

  /* A random serial (RFC 5280: positive, at most 20 octets), so that two
   * identities made on the same host never look like the same certificate to
   * a client's cache. The first byte's top bit is cleared (a DER INTEGER with
   * it set is negative) and its low bit set (a leading zero byte would not be
   * minimal DER), which leaves 126 random bits. */
  if ((ret = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    return gnutls_failed (ret, "serial number", error);
  serial[0] &= 0x7f;
  serial[0] |= 0x01;
  if ((ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0)
    return gnutls_failed (ret, "serial number", error);

  /* Valid from an hour ago, so that a client whose clock is a little behind
   * does not see a certificate "from the future", for twenty years. Clients
   * trust the pin, not the dates; an expiring self-signed certificate would
   * only lock every device of the family out on a day nobody remembers, and
   * replacing it would change the pin they all hold. */
  if ((ret = gnutls_x509_crt_set_activation_time (crt, g_date_time_to_unix (now) - 3600)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, g_date_time_to_unix (not_after))) < 0)
    return gnutls_failed (ret, "validity", error);

  /* CN and SANs name the machine and the loopback addresses, so that tools
   * that do check names (curl --cacert, a browser told to trust it) work on
   * the server itself. Devices elsewhere reach it by addresses we cannot
   * know now, which is why clients match the pin and ignore the name. */
  if ((ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                            host_name, strlen (host_name))) < 0)
    return gnutls_failed (ret, "common name", error);

  if ((ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                   host_name, strlen (host_name),
                                                   GNUTLS_FSAN_APPEND)) < 0)
    return gnutls_failed (ret, "subject alternative name", error);
  if (g_ascii_strcasecmp (host_name, "localhost") != 0 &&
      (ret = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                   "localhost", strlen ("localhost"),
                                                   GNUTLS_FSAN_APPEND)) < 0)
    return gnutls_failed (ret, "subject alternative name", error);
  if ((ret = add_ip_san (crt, G_SOCKET_FAMILY_IPV4)) < 0 ||
      (ret = add_ip_san (crt, G_SOCKET_FAMILY_IPV6)) < 0)
    return gnutls_failed (ret, "subject alternative name", error);

  /* What the key may do: sign TLS handshakes (ECDHE, so no key
   * encipherment), as a server, and nothing else; in particular it is not a
   * CA, so a stolen key cannot vouch for other certificates even to a client
   * that was told to trust this one as an anchor. */
  if ((ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 1)) < 0 ||
      (ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0)
    return gnutls_failed (ret, "extensions", error);

  if ((ret = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    return gnutls_failed (ret, "signature", error);

  /* PKCS#8 ("BEGIN PRIVATE KEY"), the form every PEM reader, GLib's
   * included, understands. Stored unencrypted: the server starts unattended,
   * so the 0600 mode of the file is its protection. */
  if ((ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, key_pem)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, crt_pem)) < 0)
    return gnutls_failed (ret, "export", error);

  return TRUE;
}

static gboolean
fsync_directory (const char  *dir,
                 GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }

  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
               _("Could not save the server's TLS identity in %s: %s"),
               dir, g_strerror (saved_errno));
  return FALSE;
}

/* Writes @data to @path so that @path either does not exist or holds all of
 * it, whatever happens: a temporary file in the same directory, created
 * 0600 (never readable by others, not even for a moment), written, fsynced,
 * then renamed over @path. The caller fsyncs the directory. */
static gboolean
write_file_atomically (const char            *path,
                       const gnutls_datum_t  *data,
                       GError               **error)
{
  g_autofree char *tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  const guint8 *p = data->data;
  gsize left = data->size;
  int fd;

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    goto failed;

  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto failed;
      p += n;
      left -= n;
    }

  if (fsync (fd) != 0)
    goto failed;
  if (close (fd) != 0)
    {
      fd = -1;
      goto failed;
    }
  fd = -1;

  if (rename (tmp_path, path) != 0)
    goto failed;

  return TRUE;

failed:
  {
    int saved_errno = errno;

    if (fd >= 0)
      close (fd);
    g_unlink (tmp_path);
    g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                 _("Could not save the server's TLS identity to %s: %s"),
                 path, g_strerror (saved_errno));
    return FALSE;
  }
}

/* The key is made durable before the certificate exists. So a certificate
 * on disk always has its key, and a key alone means the very first start
 * was interrupted before the server ever served (or printed) a fingerprint:
 * the one case where the error can safely advise starting afresh. */
static gboolean
create_identity (const char  *tls_dir,
                 const char  *key_path,
                 const char  *crt_path,
                 GError     **error)
{
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) crt_pem = { NULL, 0 };

  if (!generate_identity (&key_pem, &crt_pem, error))
    return FALSE;

  if (!write_file_atomically (key_path, &key_pem, error) ||
      !fsync_directory (tls_dir, error) ||
      !write_file_atomically (crt_path, &crt_pem, error) ||
      !fsync_directory (tls_dir, error))
    return FALSE;

  g_debug ("Created a new TLS identity in %s", tls_dir);
  return TRUE;
}

/* Reads a whole PEM file, refusing anything implausibly large. Sets errno
 * and returns FALSE without setting @error when the file does not exist, so
 * that the caller can decide what a missing file means. */
static gboolean
read_pem_file (const char      *path,
               gnutls_datum_t  *out,
               GError         **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  gsize len;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return FALSE;
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                   _("Could not read the server's TLS file %s: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode) || st.st_size > MAX_PEM_FILE_SIZE)
    {
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_CORRUPT,
                   _("The server's TLS file %s is damaged: it is not a PEM file"),
                   path);
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                   _("Could not read the server's TLS file %s: %s"),
                   path, local_error->message);
      return FALSE;
    }

  if (len > MAX_PEM_FILE_SIZE)
    {
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_CORRUPT,
                   _("The server's TLS file %s is damaged: it is not a PEM file"),
                   path);
      return FALSE;
    }

  /* What a crash leaves when a file was written in place; ours never are,
   * but a copy made by hand can be. */
  if (len == 0)
    {
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_CORRUPT,
                   _("The server's TLS file %s is damaged: it is empty. Restore it from a backup"),
                   path);
      return FALSE;
    }

  out->size = len;
  out->data = (unsigned char *) g_steal_pointer (&contents);
  return TRUE;
}

/* File contents as read by read_pem_file(), in GLib's allocator rather
 * than GnuTLS's. */
typedef gnutls_datum_t HearthPemData;

static void
free_pem (HearthPemData *datum)
{
  g_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HearthPemData, free_pem)

static gboolean
set_corrupt (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_corrupt (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HEARTH_SERVER_IDENTITY_ERROR,
                                                HEARTH_SERVER_IDENTITY_ERROR_CORRUPT,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
public_keys_equal (gnutls_x509_crt_t      crt,
                   gnutls_x509_privkey_t  key)
{
  g_auto(gnutls_pubkey_t) crt_pub = NULL;
  g_auto(gnutls_datum_t) crt_der = { NULL, 0 };
  g_auto(gnutls_pubkey_t) key_pub = NULL;
  g_auto(gnutls_datum_t) key_der = { NULL, 0 };
  g_auto(gnutls_privkey_t) abstract_key = NULL;

  if (gnutls_pubkey_init (&crt_pub) < 0 ||
      gnutls_pubkey_import_x509 (crt_pub, crt, 0) < 0 ||
      gnutls_pubkey_export2 (crt_pub, GNUTLS_X509_FMT_DER, &crt_der) < 0)
    return FALSE;

  if (gnutls_privkey_init (&abstract_key) < 0 ||
      gnutls_privkey_import_x509 (abstract_key, key, 0) < 0 ||
      gnutls_pubkey_init (&key_pub) < 0 ||
      gnutls_pubkey_import_privkey (key_pub, abstract_key, 0, 0) < 0 ||
      gnutls_pubkey_export2 (key_pub, GNUTLS_X509_FMT_DER, &key_der) < 0)
    return FALSE;

  return crt_der.size == key_der.size &&
         memcmp (crt_der.data, key_der.data, crt_der.size) == 0;
}

/* Checks the certificate's signature with its own key, ignoring dates: a
 * machine that boots with its clock in 1970 must still load its identity,
 * and whether the certificate may sign (it is no CA) is not the question. */
static gboolean
self_signature_valid (gnutls_x509_crt_t crt)
{
  unsigned int status = 0;
  unsigned int flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                       GNUTLS_VERIFY_DISABLE_CA_SIGN |
                       GNUTLS_VERIFY_DO_NOT_ALLOW_SAME;

  if (gnutls_x509_crt_verify (crt, &crt, 1, flags, &status) < 0)
    return FALSE;

  return status == 0;
}

/* Parses and cross-checks the two files and builds the GTlsCertificate
 * from GnuTLS's re-encoding of them: the certificate's DER is kept exactly
 * as stored (the pin depends on it), the key becomes PKCS#8 PEM, which
 * glib-networking reads whatever form the file used. */
static GTlsCertificate *
load_identity (const char  *key_path,
               const char  *crt_path,
               GError     **error)
{
  g_auto(HearthPemData) key_file = { NULL, 0 };
  g_auto(HearthPemData) crt_file = { NULL, 0 };
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) crt_pem = { NULL, 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pem = NULL;
  GTlsCertificate *certificate;
  gboolean have_key;
  gboolean have_crt;
  int ret;

  have_key = read_pem_file (key_path, &key_file, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  have_crt = read_pem_file (crt_path, &crt_file, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Only if both vanished since the caller looked: someone else is
   * working on this directory. */
  if (!have_key && !have_crt)
    {
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                   _("The server's TLS key %s and certificate %s disappeared while being "
                     "read. Is another program changing the data directory?"),
                   key_path, crt_path);
      return NULL;
    }

  /* Never make a new identity to replace a damaged or half-missing one:
   * every device that joined pinned this certificate, and a new one would
   * look to all of them exactly like an attacker in the middle. The person
   * running the server must decide, so the messages say what to do. */
  if (!have_crt)
    {
      set_corrupt (error,
                   _("The server's TLS certificate %s is missing, but its key %s exists. "
                     "This happens when the server's very first start was interrupted; "
                     "if no device has joined this server yet, delete both files and "
                     "start again, otherwise restore the certificate from a backup"),
                   crt_path, key_path);
      return NULL;
    }
  if (!have_key)
    {
      set_corrupt (error,
                   _("The server's TLS key %s is missing, but its certificate %s exists. "
                     "Restore the key from a backup; making a new one means inviting "
                     "every device again"),
                   key_path, crt_path);
      return NULL;
    }

  if ((ret = gnutls_x509_privkey_init (&key)) < 0 ||
      (ret = gnutls_x509_privkey_import (key, &key_file, GNUTLS_X509_FMT_PEM)) < 0 ||
      (ret = gnutls_x509_privkey_verify_params (key)) < 0)
    {
      g_autofree char *reason = dup_gnutls_reason (ret);

      set_corrupt (error, _("The server's TLS key %s is damaged: %s. Restore it from a backup"),
                   key_path, reason);
      return NULL;
    }

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &crt_file, GNUTLS_X509_FMT_PEM)) < 0)
    {
      g_autofree char *reason = dup_gnutls_reason (ret);

      set_corrupt (error, _("The server's TLS certificate %s is damaged: %s. Restore it from a backup"),
                   crt_path, reason);
      return NULL;
    }

  /* A flipped bit inside the certificate can leave it parsable; only its
   * self-signature shows it. Served anyway, it would fail every client's pin
   * with nothing on the server to say why. */
  if (!self_signature_valid (crt))
    {
      set_corrupt (error,
                   _("The server's TLS certificate %s is damaged: its signature does not "
                     "match its contents. Restore it from a backup"),
                   crt_path);
      return NULL;
    }

  if (!public_keys_equal (crt, key))
    {
      set_corrupt (error,
                   _("The server's TLS key %s does not match its certificate %s: one of "
                     "them is damaged or was replaced. Restore both from the same backup"),
                   key_path, crt_path);
      return NULL;
    }

  if ((ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &key_pem)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem)) < 0)
    {
      g_autofree char *reason = dup_gnutls_reason (ret);

      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                   _("Could not load the server's TLS identity from %s: %s"),
                   crt_path, reason);
      return NULL;
    }

  pem = g_strdup_printf ("%.*s%.*s",
                         (int) crt_pem.size, (const char *) crt_pem.data,
                         (int) key_pem.size, (const char *) key_pem.data);
  certificate = g_tls_certificate_new_from_pem (pem, -1, &local_error);
  if (certificate == NULL)
    {
      /* With the files already checked, this is GIO without its TLS
       * backend rather than bad data. */
      g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
                   _("Could not load the server's TLS identity from %s: %s "
                     "(is glib-networking installed?)"),
                   crt_path, local_error->message);
      return NULL;
    }

  return certificate;
}

static gboolean
ensure_tls_dir (const char  *data_dir,
                const char  *tls_dir,
                GError     **error)
{
  const char *failed_dir = data_dir;
  int saved_errno;

  if (g_mkdir_with_parents (data_dir, 0700) == 0)
    {
      /* 0700: the directory holds the key; nobody else needs to list it. */
      failed_dir = tls_dir;
      if (g_mkdir (tls_dir, 0700) == 0 || errno == EEXIST)
        {
          if (g_file_test (tls_dir, G_FILE_TEST_IS_DIR))
            return TRUE;
          errno = ENOTDIR;
        }
    }

  saved_errno = errno;
  g_set_error (error, HEARTH_SERVER_IDENTITY_ERROR, HEARTH_SERVER_IDENTITY_ERROR_FAILED,
               _("Could not create the directory %s for the server's TLS identity: %s"),
               failed_dir, g_strerror (saved_errno));
  return FALSE;
}

static void
hearth_server_identity_finalize (GObject *object)
{
  HearthServerIdentity *self = (HearthServerIdentity *) object;

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->fingerprint, g_free);

  G_OBJECT_CLASS (hearth_server_identity_parent_class)->finalize (object);
}

static void
hearth_server_identity_class_init (HearthServerIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_server_identity_finalize;
}

static void
hearth_server_identity_init (HearthServerIdentity *self)
{
}

/**
 * hearth_server_identity_load_or_create:
 * @data_dir: the server's data directory
 * @error: return location for a #HEARTH_SERVER_IDENTITY_ERROR
 *
 * Loads the server's key and certificate from @data_dir/tls/, or, when
 * neither exists, makes them. A damaged, mismatched or half-missing pair is
 * reported as %HEARTH_SERVER_IDENTITY_ERROR_CORRUPT and left as it is.
 *
 * This does blocking disk I/O (and, on first start, key generation); call
 * it before serving or from a worker thread.
 *
 * Returns: (transfer full): the identity, or %NULL with @error set
 */
HearthServerIdentity *
hearth_server_identity_load_or_create (const char  *data_dir,
                                       GError     **error)
{
  g_autofree char *tls_dir = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *crt_path = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  HearthServerIdentity *self;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tls_dir = g_build_filename (data_dir, TLS_DIR_NAME, NULL);
  key_path = g_build_filename (tls_dir, KEY_FILE_NAME, NULL);
  crt_path = g_build_filename (tls_dir, CRT_FILE_NAME, NULL);

  if (!ensure_tls_dir (data_dir, tls_dir, error))
    return NULL;

  /* Only the absence of both files means a first start; see load_identity()
   * for every other case. A dangling symlink counts as present. */
  if (!g_file_test (key_path, G_FILE_TEST_EXISTS) &&
      !g_file_test (crt_path, G_FILE_TEST_EXISTS) &&
      !g_file_test (key_path, G_FILE_TEST_IS_SYMLINK) &&
      !g_file_test (crt_path, G_FILE_TEST_IS_SYMLINK))
    {
      if (!create_identity (tls_dir, key_path, crt_path, error))
        return NULL;
    }

  certificate = load_identity (key_path, crt_path, error);
  if (certificate == NULL)
    return NULL;

  self = g_object_new (HEARTH_TYPE_SERVER_IDENTITY, NULL);
  self->fingerprint = hearth_certificate_fingerprint (certificate);
  self->certificate = g_steal_pointer (&certificate);
  return self;
}

/**
 * hearth_server_identity_get_certificate:
 * @self: a #HearthServerIdentity
 *
 * Returns: (transfer none): the certificate with its private key, for
 *   soup_server_set_tls_certificate() or a #GTlsServerConnection
 */
GTlsCertificate *
hearth_server_identity_get_certificate (HearthServerIdentity *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER_IDENTITY (self), NULL);

  return self->certificate;
}

/**
 * hearth_server_identity_get_fingerprint:
 * @self: a #HearthServerIdentity
 *
 * Returns: the SHA-256 of the certificate's DER encoding as 64 lower-case
 *   hex digits: what invite codes carry and clients pin
 */
const char *
hearth_server_identity_get_fingerprint (HearthServerIdentity *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER_IDENTITY (self), NULL);

  return self->fingerprint;
}

