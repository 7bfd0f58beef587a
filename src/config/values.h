/*
 * values.h - the parsers of the server's own setting values (those of
 * limits.h are in limits.c), for settings.c.  Each checks one value and
 * writes it into a struct tsr_settings; on error it returns -1 and writes
 * one line saying why, without the setting's name, into why
 * (TSR_CFG_WHY_LEN bytes).  Values quoted back in a reason go through
 * tsr_cfg_show, so a message stays one printable line.
 */
#ifndef TSR_CONFIG_VALUES_H
#define TSR_CONFIG_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"

#define TSR_CFG_WHY_LEN 256

/* At most 60 bytes of v, control characters as '?', "..." when cut; returns buf. */
const char *tsr_cfg_show(const char *v, char buf[64]);

/* Writes the reason into why and returns -1. */
int tsr_cfg_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* HOST:PORT or [IPv6]:PORT into listen_host and listen_port. */
int tsr_cfg_parse_listen(const char *v, struct tsr_settings *out, char *why);

/* http(s)://host[:port][/prefix], normalised (lowercase, no default port, one final '/'). */
int tsr_cfg_parse_public_url(const char *v, struct tsr_settings *out, char *why);

/* A path: not empty, shorter than cap, no control characters; copied into out. */
int tsr_cfg_parse_path(const char *v, char *out, size_t cap, char *why);

/* A path without trailing slashes. */
int tsr_cfg_parse_data_dir(const char *v, struct tsr_settings *out, char *why);

/* debug, info, warn or error, any case. */
int tsr_cfg_parse_log_level(const char *v, struct tsr_settings *out, char *why);

/* 0 to 256. */
int tsr_cfg_parse_threads(const char *v, struct tsr_settings *out, char *why);

/* A decimal number from min to max (no sign, no spaces). */
int tsr_cfg_parse_uint(const char *v, unsigned min, unsigned max, unsigned *out, char *why);

/* smtp:// or smtps:// with a host; never quoted back (it may hold a password). */
int tsr_cfg_parse_smtp_url(const char *v, struct tsr_settings *out, char *why);

/* addr@host or "Name <addr@host>". */
int tsr_cfg_parse_smtp_from(const char *v, struct tsr_settings *out, char *why);

/* true|false, yes|no, on|off, 1|0, any case. */
int tsr_cfg_parse_bool(const char *v, bool *out, char *why);

#endif
