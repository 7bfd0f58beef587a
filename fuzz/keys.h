/*
 * keys.h - fixed keys for the JWS fuzz target and its seed tokens.
 *
 * Test-only keys, generated for the fuzzer and published here on purpose:
 * the seed corpus holds tokens signed by them so the fuzzer starts from
 * signatures that verify.  Never use them anywhere else.
 */
#ifndef TSR_FUZZ_KEYS_H
#define TSR_FUZZ_KEYS_H

static const char fuzz_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCo3egTa0nPMPQ1\n"
    "cmVae6z8mm714TXt1N2FQCREaSMoCzJJ58KDTmrd1/C5H0C6j4US0SVbHRquUTE4\n"
    "iag47vU8h6QuoSlfNdBS2GRQ+M9X9mIccr3Rri87gpPVf7jgGLfBIUJQ/VgSq3IX\n"
    "VnvFku0x4SZnryBGpPcX3oPdFK/iqq8a9L7mZ8gRq6xv63RWrDMTj/Ev6NQy+vf+\n"
    "2vk4vrtRt1hPlkFPCklHWWlIPDPBDtlH/LeqxK9t2RADlvtDKhqJKWjIV73ANegV\n"
    "kGnTOFki5m8dJL0LXdY5aZcZ/Azln5lvjeS4fVO8My7cos6A9cwSdRn1CRbN6aw7\n"
    "5B+FiRT5AgMBAAECggEAEk+hwz1Ojx+FU6hYcjPYAbozTwlBQk1jSfg3Fo36CHUS\n"
    "Wm49quRddTndug04BSLb8LrqHJOu2XknZ7SRn77Vq98fgAjsxgy9TsZ1NkyMm0K1\n"
    "x9TvXWXQbFkP88Y6Q16ayl/zY3ndS4T4xawUlsuEWfTKp9KXIuHvg1CXJul/2wmv\n"
    "A+invzAu3bCBgZx10qAByfF87LqzzT08MBNh1Rc9eqtPvIcPj8RobQXmPnQ4azu8\n"
    "ueaRWuvtQ23l2X4HT0P23oNG/WyT67hbzYM8bxGOHUh6ihW3ZHqdQ+EnNP3/q0oO\n"
    "pQlybXtZx7gURWZx194nDBXdNSHRfEHMvfaiS13aaQKBgQDSWJwpeFR8SkkAMxT+\n"
    "4HXkCmm7u1CdAgkdpqzzWv/fRw3xrtD2kvfWhpQuXCrCNDJnO30oOP4Cv6xnxnzL\n"
    "TSwtMNyWfBVg4qcF5ay9pu27wFPGM3ByMbZ4S2x1wjRoMQU5v9KYFeC0GL2Ddu9S\n"
    "40b9RDGh9q3wbLXMI90O9hCwtQKBgQDNhJiJnrWdhTuwQAJNOHlnxH8sWgpxzaUg\n"
    "M1fnQ+xWJWYKZWAd+1kjG5wQWQpC8Au6RUvpYIv3whuJOf2cJX8xLX/CJvRgtY/o\n"
    "zU9dxnQt3NCXIhJVCaw0COIXcwGQKWsq5A1hPj2e3Isxnv0NQ+BzelmvQOiE9NDr\n"
    "Utuzh7OxtQKBgDjGM/g5g0w83LFSGFOnEArqCJnkOCD4wK8hIsNYh4Gjcw8NqVc0\n"
    "WfKsRmiw9dWPMx+L/f8SSvVA+O7Vsy9IeCkGbDOt8DNDWeOMl3BlEvu/MJ1pmusn\n"
    "oeGcMf0i2vRYbtmkfdoQ5aKWnuhR/My5jZqkgmT96PrgzLz53RvBrMWVAoGAEMIf\n"
    "Lhmi9ZVHqLePeHyCadO8CwHMmDsMm/OT12fSfbPO/koF7GvyeMpnj22zSIIKcsXz\n"
    "yrP0td8+H5J6+6CTHo93O32xr7Eeav1S23KzRooa+DfvBsAjKpsO1JqsJfU6p+Sw\n"
    "sp1AqROSxhkQyWQfiUsQxRml3DGaV5YKFDmcjYECgYAJtC/FKuGnY4o/SFTMlGv6\n"
    "P5oONj4j+LZc/5ioDWnesKlCrhyqOXXSqAxtkE2+G+UXIZHB3l3bx/TjUxTXiZFx\n"
    "nkgv8X63sB/oN/TOlUw/LQKtixzd8nnRPb9uc8u2Lmwy/M7ZCRpQARfAF6pS2DZY\n"
    "PTQdyPxqImlkV6gH9hyqPA==\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_ec_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwJ0K8C8MEUZod0LD\n"
    "yctZOGOxWataj6805m88ztvJG9ehRANCAAS45mSIsKKqQiq1wCX/tI2Yz4hk35V0\n"
    "vGkpvDzHUHpQa80tla5Xg6gem5nGpZoQAzXPvP9eOsJdfqL9oYnLI6zN\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_ed25519_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIHkpl08eSBtRA0bIKnsq5H/IKS3JqhWZM/il3kT114e+\n"
    "-----END PRIVATE KEY-----\n";

/* The HS256 secret: 32 bytes. */
static const char fuzz_hs256_secret[] = "tessera-fuzz-hs256-secret-32-byt";

#endif
