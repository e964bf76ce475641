/* Splits a byte stream into JSON texts sent back to back with no
 * delimiter, as JSON-RPC peers do, and parses each with jansson.
 *
 * The framer tracks only nesting and strings, so a text is handed to the
 * parser once, whole.  It insists that every top-level text is an object
 * or an array (so a stray byte is an error at once instead of a hang),
 * and bounds the size of one text so that a peer cannot make us buffer
 * without end. */
#ifndef JSON_STREAM_H
#define JSON_STREAM_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct json_stream;

struct json_stream *json_stream_create(size_t max_text_size);
void json_stream_destroy(struct json_stream *);

/* Consumes bytes from 'data' and returns how many it used: all of them,
 * or fewer when a text was completed or an error found.  Then a value may
 * be taken with json_stream_take(); after an error the stream is dead. */
size_t json_stream_feed(struct json_stream *, const char *data, size_t n);

/* The completed text's value (the caller owns it), or NULL. */
json_t *json_stream_take(struct json_stream *);

/* NULL, or why the stream cannot go on. */
const char *json_stream_error(const struct json_stream *);

/* True if part of a text is buffered (so a close now truncates it). */
bool json_stream_in_text(const struct json_stream *);

#endif /* json-stream.h */
