/*
 * hex.h - the value of one hexadecimal digit, for the decoders that read
 * percent-escapes and colours.
 */
#ifndef TSR_UTIL_HEX_H
#define TSR_UTIL_HEX_H

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for any other character. */
int tsr_hex_value(char c);

#endif
