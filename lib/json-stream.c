#include <config.h>
#include "json-stream.h"

#include <stdlib.h>
#include "dynamic-string.h"
#include "util.h"

struct json_stream {
    struct ds text;             /* The text so far. */
    size_t max_text_size;
    unsigned int depth;         /* Open '{' and '[' outside strings. */
    bool in_string;
    bool escaped;               /* The previous byte was '\' in a string. */
    json_t *value;              /* A completed value, until taken. */
    char *error;
};

struct json_stream *
json_stream_create(size_t max_text_size)
{
    struct json_stream *js = xzalloc(sizeof *js);
    ds_init(&js->text);
    js->max_text_size = max_text_size;
    return js;
}

void
json_stream_destroy(struct json_stream *js)
{
    if (js) {
        ds_destroy(&js->text);
        json_decref(js->value);
        free(js->error);
        free(js);
    }
}

static void
json_stream_fail(struct json_stream *js, char *error)
{
    js->error = error;
    ds_clear(&js->text);
}

static void
json_stream_finish_text(struct json_stream *js)
{
    json_error_t error;
    js->value = json_loadb(js->text.string, js->text.length,
                           JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
    if (!js->value) {
        json_stream_fail(js, xasprintf("syntax error: %s at byte %d",
                                       error.text, error.position));
    }
    ds_clear(&js->text);
}

/* Advances the framer over byte 'c' of a text.  Returns true when 'c'
 * completes the text. */
static bool
json_stream_scan(struct json_stream *js, char c)
{
    if (js->in_string) {
        if (js->escaped) {
            js->escaped = false;
        } else if (c == '\\') {
            js->escaped = true;
        } else if (c == '"') {
            js->in_string = false;
        }
        return false;
    }
    switch (c) {
    case '"':
        js->in_string = true;
        return false;
    case '{':
    case '[':
        js->depth++;
        return false;
    case '}':
    case ']':
        /* A mismatched closer reaches here with depth 1 too early or
         * late; jansson then reports it. */
        return --js->depth == 0;
    default:
        return false;
    }
}

size_t
json_stream_feed(struct json_stream *js, const char *data, size_t n)
{
    size_t i = 0;

    if (js->error || js->value) {
        return 0;
    }
    while (i < n) {
        if (js->depth == 0) {
            /* Between texts: skip white space, then insist on a text that
             * opens an object or array. */
            char c = data[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                continue;
            }
            if (c != '{' && c != '[') {
                json_stream_fail(js, xasprintf(
                    "syntax error: a JSON-RPC message must be a JSON object, "
                    "not a text starting with byte 0x%02x",
                    (unsigned char) c));
                return i + 1;
            }
        }

        size_t start = i;
        bool complete = false;
        while (i < n && !complete) {
            complete = json_stream_scan(js, data[i++]);
        }
        if (unlikely(js->text.length + (i - start) > js->max_text_size)) {
            json_stream_fail(js, xasprintf(
                "message too long: more than %zu bytes", js->max_text_size));
            return i;
        }
        ds_put_buffer(&js->text, data + start, i - start);
        if (complete) {
            json_stream_finish_text(js);
            return i;
        }
    }
    return n;
}

json_t *
json_stream_take(struct json_stream *js)
{
    json_t *value = js->value;
    js->value = NULL;
    return value;
}

const char *
json_stream_error(const struct json_stream *js)
{
    return js->error;
}

bool
json_stream_in_text(const struct json_stream *js)
{
    return js->text.length > 0;
}
