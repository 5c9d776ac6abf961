#ifndef LIFELINE_COPENSSL_SHIM_H
#define LIFELINE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
