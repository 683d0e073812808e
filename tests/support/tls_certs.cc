#include "tests/support/tls_certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace uptime::testing {
namespace {

// unique_ptr deleters for the OpenSSL objects we own.
struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <typename T>
using OsslPtr = std::unique_ptr<T, OpenSslFree>;

absl::Status SslError(absl::string_view what) {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error(); e != 0) {
    ERR_error_string_n(e, buf, sizeof(buf));
  }
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", buf));
}

absl::Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return SslError(absl::StrCat("extension ", value));
  }
  return absl::OkStatus();
}

template <typename WriteFn>
absl::StatusOr<std::string> ToPem(WriteFn write) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) return SslError("PEM write");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, len);
}

// Writes `contents` to a new file "<dir>/<stem>-XXXXXX.pem".
absl::StatusOr<std::string> WriteUnique(absl::string_view dir,
                                        absl::string_view stem,
                                        const std::string& contents) {
  std::string pattern = absl::StrCat(dir, "/", stem, "-XXXXXX.pem");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkstemps(buf.data(), 4);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("mkstemps ", pattern, ": ", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("write ", buf.data(), ": ", std::strerror(err)));
    }
    done += n;
  }
  ::close(fd);
  return std::string(buf.data());
}

absl::StatusOr<OsslPtr<X509>> BuildCert(EVP_PKEY* key,
                                        absl::string_view common_name,
                                        absl::Time not_before,
                                        absl::Time not_after) {
  OsslPtr<X509> cert(X509_new());
  if (cert == nullptr) return SslError("X509_new");
  X509_set_version(cert.get(), 2);  // v3, needed for extensions.

  // Random serials: clients cache by issuer+serial, and every cert here has
  // the same issuer name.
  OsslPtr<BIGNUM> serial(BN_new());
  if (serial == nullptr ||
      BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    return SslError("serial");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                    absl::ToTimeT(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), absl::ToTimeT(not_after)) ==
          nullptr) {
    return SslError("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return SslError("subject");
  }

  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (cn != "localhost" && !cn.empty()) absl::StrAppend(&san, ",DNS:", cn);
  // CA:TRUE lets OpenSSL accept the cert as its own trust anchor.
  for (const auto& [nid, value] :
       {std::pair<int, std::string>{NID_basic_constraints, "critical,CA:TRUE"},
        {NID_subject_key_identifier, "hash"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_ext_key_usage, "serverAuth,clientAuth"},  // usable on both ends of mTLS
        {NID_subject_alt_name, san}}) {
    if (absl::Status s = AddExtension(cert.get(), nid, value); !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return SslError("sign");
  return cert;
}

}  // namespace

absl::StatusOr<CertPair> MakeSelfSignedCert(absl::string_view common_name,
                                            absl::Time not_before,
                                            absl::Time not_after,
                                            absl::string_view dir) {
  // EC P-256: a key in microseconds, where RSA 2048 takes tens of ms.
  OsslPtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (key == nullptr) return SslError("EC key generation");
  absl::StatusOr<OsslPtr<X509>> cert =
      BuildCert(key.get(), common_name, not_before, not_after);
  if (!cert.ok()) return cert.status();

  CertPair pair;
  absl::StatusOr<std::string> cert_pem =
      ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert->get()); });
  absl::StatusOr<std::string> key_pem = ToPem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0,
                                    nullptr, nullptr);
  });
  if (!cert_pem.ok()) return cert_pem.status();
  if (!key_pem.ok()) return key_pem.status();
  pair.cert_pem = *std::move(cert_pem);
  pair.key_pem = *std::move(key_pem);

  absl::StatusOr<std::string> cert_path =
      WriteUnique(dir, "cert", pair.cert_pem);
  if (!cert_path.ok()) return cert_path.status();
  absl::StatusOr<std::string> key_path = WriteUnique(dir, "key", pair.key_pem);
  if (!key_path.ok()) return key_path.status();
  pair.cert_path = *std::move(cert_path);
  pair.key_path = *std::move(key_path);
  return pair;
}

}  // namespace uptime::testing
