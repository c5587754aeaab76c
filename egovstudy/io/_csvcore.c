/*
 * egovstudy.io._csvcore: split CSV blocks into records and fields, each field coded.
 *
 * An optional accelerator for egovstudy/io/csv.py, which explains the contract and
 * keeps pyarrow's streaming reader as the path used without it (and for every file
 * this parser declines: rows with the wrong number of fields, a quote left open).
 *
 * parse() reads one block of complete records. Every column is either
 *   - coded: each field is looked up in the block's own table of distinct values
 *     (first appearance order) and stored as an int32 code, -1 for an empty field;
 *     a Likert column of a million answers becomes a million codes and five strings;
 *   - text: fields appended to one buffer with int64 offsets and a validity bitmap
 *     (the buffers of an Arrow large_string array), for ids and free text;
 *   - skipped (a column not asked for).
 * The GIL is released while a block is parsed, so blocks on threads run side by side.
 *
 * Quoting follows pyarrow.csv's defaults, which the Python path uses: a field that
 * starts with a double quote runs to the next lone quote ("" inside is one quote)
 * and may hold delimiters and line ends; characters after the closing quote and
 * quotes inside an unquoted field are kept as they are; an empty field, quoted or
 * not, is missing; a record ends at \n, \r\n or \r; empty lines are skipped.
 *
 * split() finds where the last complete record of a buffer ends, by the parity of
 * the quotes before each line end (exact for every file quoted as above). A file with
 * stray quotes can mislead it; parse() then reports that its block did not end on a
 * record boundary and the caller reads the file with the Python path instead.
 *
 * Hash tables are salted by the caller (a random salt per process), so a crafted
 * file cannot make one block's lookups quadratic except by chance.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { MODE_CODED = 0, MODE_TEXT = 1, MODE_SKIP = 2 };
enum { OK = 0, BAD_FIELDS = 1, UNCLEAN = 2, NO_MEMORY = 3 };

typedef struct {
    const char *ptr;
    Py_ssize_t len;
    uint64_t hash;
} Entry;

typedef struct {
    int mode;
    /* coded */
    int32_t *codes;
    Entry *entries;
    Py_ssize_t n_entries, cap_entries;
    Py_ssize_t n_known;       /* entries given by the caller, before the block's own */
    int32_t *slots;           /* entry index + 1; 0 is empty */
    Py_ssize_t mask;
    /* text */
    int64_t *offsets;
    char *data;
    Py_ssize_t data_len;
    uint8_t *valid;
    Py_ssize_t n_null;
} Column;

static inline uint64_t
load8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);       /* one unaligned load */
    return w;
}

static inline uint64_t
mix(uint64_t h)
{
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

/* A salted hash of s[0:n] that reads whole 8-byte words (the last one overlapping the
 * one before it) instead of a byte loop or a memcpy of variable length: fields are
 * short, and per-byte work was most of the cost of coding them. `end` bounds reads. */
static inline uint64_t
hash_bytes(const char *s, Py_ssize_t n, const char *end, uint64_t salt)
{
    uint64_t h = salt ^ ((uint64_t)n * 0x9E3779B97F4A7C15ULL);
    if (n >= 8) {
        const char *const tail = s + n - 8;
        for (; s < tail; s += 8) {
            h = mix(h ^ load8(s));
        }
        return mix(h ^ load8(tail));
    }
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n > 0 && end - s >= 8) {
        return mix(h ^ (load8(s) & ((1ULL << (8 * n)) - 1)));
    }
#endif
    for (Py_ssize_t i = 0; i < n; i++) {
        w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    }
    return mix(h ^ w);
}

/* Whether a[0:n] == b[0:n], by words like hash_bytes (n < 8: bytes). */
static inline int
same_bytes(const char *a, const char *b, Py_ssize_t n)
{
    if (n >= 8) {
        for (Py_ssize_t i = 0; i < n - 8; i += 8) {
            if (load8(a + i) != load8(b + i)) {
                return 0;
            }
        }
        return load8(a + n - 8) == load8(b + n - 8);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

static int
grow_table(Column *c)
{
    Py_ssize_t cap = (c->mask + 1) * 2;
    int32_t *slots = calloc((size_t)cap, sizeof(int32_t));
    if (slots == NULL) {
        return -1;
    }
    for (Py_ssize_t e = 0; e < c->n_entries; e++) {
        Py_ssize_t i = (Py_ssize_t)(c->entries[e].hash & (uint64_t)(cap - 1));
        while (slots[i] != 0) {
            i = (i + 1) & (cap - 1);
        }
        slots[i] = (int32_t)(e + 1);
    }
    free(c->slots);
    c->slots = slots;
    c->mask = cap - 1;
    return 0;
}

/* The code of one field of a coded column (its index in the block's table). */
static inline int32_t
code_of(Column *c, const char *s, Py_ssize_t n, const char *end, uint64_t salt)
{
    const uint64_t h = hash_bytes(s, n, end, salt);
    Py_ssize_t i = (Py_ssize_t)(h & (uint64_t)c->mask);
    for (;;) {
        const int32_t slot = c->slots[i];
        if (slot == 0) {
            break;
        }
        const Entry *e = &c->entries[slot - 1];
        if (e->hash == h && e->len == n && same_bytes(e->ptr, s, n)) {
            return slot - 1;
        }
        i = (i + 1) & c->mask;
    }
    if (c->n_entries == c->cap_entries) {
        Py_ssize_t cap = c->cap_entries * 2;
        Entry *grown = realloc(c->entries, (size_t)cap * sizeof(Entry));
        if (grown == NULL) {
            return -2;
        }
        c->entries = grown;
        c->cap_entries = cap;
    }
    const Py_ssize_t e = c->n_entries++;
    c->entries[e].ptr = s;
    c->entries[e].len = n;
    c->entries[e].hash = h;
    c->slots[i] = (int32_t)(e + 1);
    if (c->n_entries * 2 > c->mask + 1 && grow_table(c) < 0) {
        return -2;
    }
    return (int32_t)e;
}

static void
free_columns(Column *cols, Py_ssize_t ncols)
{
    if (cols == NULL) {
        return;
    }
    for (Py_ssize_t j = 0; j < ncols; j++) {
        free(cols[j].codes);
        free(cols[j].entries);
        free(cols[j].slots);
        free(cols[j].offsets);
        free(cols[j].data);
        free(cols[j].valid);
    }
    free(cols);
}

/* Allocate every column for at most max_rows records of a block of len bytes. Pages
 * never written are never touched, so the generous sizes cost address space only. */
static Column *
new_columns(const char *modes, Py_ssize_t ncols, Py_ssize_t max_rows, Py_ssize_t len)
{
    Column *cols = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof(Column));
    if (cols == NULL) {
        return NULL;
    }
    for (Py_ssize_t j = 0; j < ncols; j++) {
        Column *c = &cols[j];
        c->mode = modes[j];
        if (c->mode == MODE_CODED) {
            c->codes = malloc((size_t)max_rows * sizeof(int32_t));
            c->cap_entries = 16;
            c->entries = malloc((size_t)c->cap_entries * sizeof(Entry));
            c->mask = 63;
            c->slots = calloc(64, sizeof(int32_t));
            if (c->codes == NULL || c->entries == NULL || c->slots == NULL) {
                free_columns(cols, ncols);
                return NULL;
            }
        }
        else if (c->mode == MODE_TEXT) {
            c->offsets = malloc((size_t)(max_rows + 1) * sizeof(int64_t));
            c->data = malloc((size_t)(len > 0 ? len : 1));
            c->valid = calloc((size_t)(max_rows / 8 + 1), 1);
            if (c->offsets == NULL || c->data == NULL || c->valid == NULL) {
                free_columns(cols, ncols);
                return NULL;
            }
            c->offsets[0] = 0;
        }
    }
    return cols;
}

/* The outcome of parsing a block. */
typedef struct {
    int status;
    Py_ssize_t rows;
    Py_ssize_t bad_row;       /* BAD_FIELDS: the record (0-based, in the block) */
    Py_ssize_t bad_fields;    /* and its number of fields */
    Py_ssize_t longest;       /* OK: bytes of the longest record, its line end included */
} Outcome;

/* Parse buf[0:len]: skip_first records are read and dropped (the header), then every
 * record is stored. `last` tells whether the buffer ends the file (else it must end
 * just after a record's line end). `scratch` (len bytes) receives quoted fields whose
 * escaped quotes had to be removed. Runs without the GIL. */
static Outcome
parse_block(const char *buf, Py_ssize_t len, char delim, Column *cols, Py_ssize_t ncols,
            int skip_first, int last, char *scratch, uint64_t salt)
{
    Outcome out = {OK, 0, 0, 0, 0};
    unsigned char stop[256] = {0};
    stop[(unsigned char)delim] = 1;
    stop['\n'] = 1;
    stop['\r'] = 1;
    const char *p = buf;
    const char *const end = buf + len;
    char *spare = scratch;
    const char *const scratch_end = scratch + len;
    Py_ssize_t row = 0;
    int dropping = skip_first;

    while (p < end) {
        if (*p == '\n' || *p == '\r') {     /* an empty line */
            p++;
            continue;
        }
        const char *const record = p;
        Py_ssize_t col = 0;
        for (;;) {
            const char *fs;
            const char *fend = end;     /* where reads of the field must stop */
            Py_ssize_t fl;
            if (*p == '"') {
                /* a quoted field: its text is in place unless a "" must be undone or
                 * text follows the closing quote; then it is copied into scratch */
                const char *q = p + 1;
                const char *close = memchr(q, '"', (size_t)(end - q));
                if (close == NULL) {
                    out.status = UNCLEAN;   /* the quote is still open at the block end */
                    return out;
                }
                if (close + 1 < end && (close[1] == '"' || !stop[(unsigned char)close[1]])) {
                    char *dst = spare;
                    for (;;) {
                        memcpy(dst, q, (size_t)(close - q));
                        dst += close - q;
                        if (!(close + 1 < end && close[1] == '"')) {
                            break;
                        }
                        *dst++ = '"';
                        q = close + 2;
                        close = memchr(q, '"', (size_t)(end - q));
                        if (close == NULL) {
                            out.status = UNCLEAN;
                            return out;
                        }
                    }
                    p = close + 1;
                    while (p < end && !stop[(unsigned char)*p]) {
                        *dst++ = *p++;      /* text after the closing quote is kept */
                    }
                    fs = spare;
                    fend = scratch_end;
                    fl = dst - spare;
                    spare = dst;
                }
                else {
                    p = close + 1;
                    fs = q;
                    fl = close - q;
                }
            }
            else {
                fs = p;
                while (p < end && !stop[(unsigned char)*p]) {
                    p++;
                }
                fl = p - fs;
            }
            if (!dropping && col < ncols) {
                Column *c = &cols[col];
                if (c->mode == MODE_CODED) {
                    int32_t code = -1;
                    if (fl > 0) {
                        code = code_of(c, fs, fl, fend, salt);
                        if (code == -2) {
                            out.status = NO_MEMORY;
                            return out;
                        }
                    }
                    c->codes[row] = code;
                }
                else if (c->mode == MODE_TEXT) {
                    if (fl > 0) {
                        memcpy(c->data + c->data_len, fs, (size_t)fl);
                        c->data_len += fl;
                        c->valid[row >> 3] |= (uint8_t)(1u << (row & 7));
                    }
                    else {
                        c->n_null++;
                    }
                    c->offsets[row + 1] = c->data_len;
                }
            }
            col++;
            if (p == end) {
                if (!last) {
                    out.status = UNCLEAN;   /* the block ends inside a record */
                    return out;
                }
                break;
            }
            if (*p == delim) {
                p++;
                if (p == end) {     /* a delimiter ends the file: one more empty field */
                    if (!last) {
                        out.status = UNCLEAN;
                        return out;
                    }
                    if (!dropping && col < ncols) {
                        Column *c = &cols[col];
                        if (c->mode == MODE_CODED) {
                            c->codes[row] = -1;
                        }
                        else if (c->mode == MODE_TEXT) {
                            c->n_null++;
                            c->offsets[row + 1] = c->data_len;
                        }
                    }
                    col++;
                    break;
                }
                continue;
            }
            /* a line end: \n, \r\n or \r */
            if (*p == '\r' && p + 1 < end && p[1] == '\n') {
                p++;
            }
            p++;
            break;
        }
        if (p - record > out.longest) {
            out.longest = p - record;
        }
        if (dropping) {
            dropping = 0;
            continue;
        }
        if (col != ncols) {
            out.status = BAD_FIELDS;
            out.bad_row = row;
            out.bad_fields = col;
            out.rows = row;
            return out;
        }
        row++;
    }
    out.rows = row;
    return out;
}

/* A coded column's result: its codes (int8 when every code fits, else int32) and
 * the values first seen in this block (their codes follow the known ones). */
static PyObject *
column_result(Column *c, Py_ssize_t rows)
{
    if (c->mode == MODE_CODED) {
        const int narrow = c->n_entries <= 127;
        PyObject *codes = PyBytes_FromStringAndSize(
            NULL, rows * (narrow ? 1 : (Py_ssize_t)sizeof(int32_t)));
        PyObject *entries = PyList_New(c->n_entries - c->n_known);
        if (codes == NULL || entries == NULL) {
            Py_XDECREF(codes);
            Py_XDECREF(entries);
            return NULL;
        }
        if (narrow) {
            int8_t *to = (int8_t *)PyBytes_AS_STRING(codes);
            for (Py_ssize_t r = 0; r < rows; r++) {
                to[r] = (int8_t)c->codes[r];
            }
        }
        else {
            memcpy(PyBytes_AS_STRING(codes), c->codes, (size_t)rows * sizeof(int32_t));
        }
        for (Py_ssize_t e = c->n_known; e < c->n_entries; e++) {
            PyObject *s = PyUnicode_DecodeUTF8(c->entries[e].ptr, c->entries[e].len, "strict");
            if (s == NULL) {
                Py_DECREF(codes);
                Py_DECREF(entries);
                return NULL;
            }
            PyList_SET_ITEM(entries, e - c->n_known, s);
        }
        return Py_BuildValue("(iNNi)", MODE_CODED, codes, entries, narrow ? 1 : 4);
    }
    if (c->mode == MODE_TEXT) {
        PyObject *offsets = PyBytes_FromStringAndSize((const char *)c->offsets,
                                                      (rows + 1) * (Py_ssize_t)sizeof(int64_t));
        PyObject *data = PyBytes_FromStringAndSize(c->data, c->data_len);
        PyObject *valid;
        if (c->n_null > 0) {
            valid = PyBytes_FromStringAndSize((const char *)c->valid, rows / 8 + 1);
        }
        else {
            valid = Py_NewRef(Py_None);
        }
        if (offsets == NULL || data == NULL || valid == NULL) {
            Py_XDECREF(offsets);
            Py_XDECREF(data);
            Py_XDECREF(valid);
            return NULL;
        }
        return Py_BuildValue("(iNNNn)", MODE_TEXT, offsets, data, valid, c->n_null);
    }
    Py_RETURN_NONE;
}

static PyObject *
parse(PyObject *self, PyObject *args)
{
    Py_buffer buf, modes_buf;
    int delim, skip_first, last;
    unsigned long long salt;
    PyObject *known;
    if (!PyArg_ParseTuple(args, "y*Cy*ppKO", &buf, &delim, &modes_buf, &skip_first, &last,
                          &salt, &known)) {
        return NULL;
    }
    PyObject *result = NULL;
    Column *cols = NULL;
    char *scratch = NULL;
    const Py_ssize_t ncols = modes_buf.len;
    const char *modes = modes_buf.buf;
    const Py_ssize_t len = buf.len;
    if (delim <= 0 || delim > 127 || delim == '"' || delim == '\n' || delim == '\r') {
        PyErr_SetString(PyExc_ValueError, "the delimiter must be one ASCII character other "
                                          "than a quote or a line end");
        goto done;
    }
    if (ncols < 1) {
        PyErr_SetString(PyExc_ValueError, "at least one column is needed");
        goto done;
    }
    for (Py_ssize_t j = 0; j < ncols; j++) {
        if (modes[j] != MODE_CODED && modes[j] != MODE_TEXT && modes[j] != MODE_SKIP) {
            PyErr_Format(PyExc_ValueError, "column %zd has an unknown mode %d", j,
                         (int)modes[j]);
            goto done;
        }
    }
    /* a stored record takes at least ncols bytes (its delimiters and its line end), or
     * one byte when the file ends without a line end: len / ncols + 1 records at most */
    const Py_ssize_t max_rows = len / ncols + 2;
    if (!PyList_Check(known) || PyList_GET_SIZE(known) != ncols) {
        PyErr_SetString(PyExc_ValueError, "known must be a list with one item per column");
        goto done;
    }
    cols = new_columns(modes, ncols, max_rows, len);
    scratch = malloc((size_t)(len > 0 ? len : 1));
    if (cols == NULL || scratch == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* the values of earlier blocks keep their codes: most blocks add none, and their
     * codes are then the column's codes as they are */
    for (Py_ssize_t j = 0; j < ncols; j++) {
        PyObject *values = PyList_GET_ITEM(known, j);
        if (values == Py_None) {
            continue;
        }
        if (!PyList_Check(values) || modes[j] != MODE_CODED) {
            PyErr_Format(PyExc_ValueError, "known[%zd] must be None or, for a coded "
                         "column, a list of str", j);
            goto done;
        }
        for (Py_ssize_t e = 0; e < PyList_GET_SIZE(values); e++) {
            Py_ssize_t n;
            const char *text = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(values, e), &n);
            if (text == NULL) {
                goto done;
            }
            const int32_t code = code_of(&cols[j], text, n, text + n, (uint64_t)salt);
            if (code == -2) {
                PyErr_NoMemory();
                goto done;
            }
            if (code != e) {
                PyErr_Format(PyExc_ValueError, "known[%zd] repeats a value", j);
                goto done;
            }
        }
        cols[j].n_known = cols[j].n_entries;
    }
    Outcome out;
    Py_BEGIN_ALLOW_THREADS
    out = parse_block(buf.buf, len, (char)delim, cols, ncols, skip_first, last, scratch,
                      (uint64_t)salt);
    Py_END_ALLOW_THREADS
    if (out.status == NO_MEMORY) {
        PyErr_NoMemory();
        goto done;
    }
    if (out.status != OK) {
        result = Py_BuildValue("(innO)", out.status, out.bad_row, out.bad_fields, Py_None);
        goto done;
    }
    PyObject *columns = PyList_New(ncols);
    if (columns == NULL) {
        goto done;
    }
    for (Py_ssize_t j = 0; j < ncols; j++) {
        PyObject *c = column_result(&cols[j], out.rows);
        if (c == NULL) {
            Py_DECREF(columns);
            goto done;
        }
        PyList_SET_ITEM(columns, j, c);
    }
    result = Py_BuildValue("(innN)", OK, out.rows, out.longest, columns);
done:
    free_columns(cols, ncols);
    free(scratch);
    PyBuffer_Release(&buf);
    PyBuffer_Release(&modes_buf);
    return result;
}

/* Quotes in s[0:n]: SSE2 compares sixteen bytes at a time where available, the
 * matches summed per byte lane and folded every 255 steps (no popcount needed). */
static Py_ssize_t
count_quotes(const char *s, Py_ssize_t n)
{
    Py_ssize_t count = 0, i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i lanes = zero;
        for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            const __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, quote));
        }
        const __m128i sums = _mm_sad_epu8(lanes, zero);
        count += _mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#endif
    for (; i < n; i++) {
        count += s[i] == '"';
    }
    return count;
}

static PyObject *
split(PyObject *self, PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &n)) {
        return NULL;
    }
    if (n < 0 || n > buf.len) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "n must be within the buffer");
        return NULL;
    }
    const char *s = buf.buf;
    Py_ssize_t cut = 0;
    Py_BEGIN_ALLOW_THREADS
    /* most exports quote nothing: one memchr (vectorised by the C library) tells */
    const Py_ssize_t total = memchr(s, '"', (size_t)n) == NULL ? 0 : count_quotes(s, n);
    Py_ssize_t after = 0;     /* quotes after position i */
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        const char ch = s[i];
        if (ch == '"') {
            after++;
        }
        else if ((ch == '\n' || ch == '\r') && ((total - after) & 1) == 0) {
            cut = i + 1;
            break;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromSsize_t(cut);
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS,
     "parse(block, delimiter, modes, skip_first, last, salt, known) -> (status, rows, "
     "fields or longest record, columns): the records of a block, each column coded or "
     "as text (see csv.py)."},
    {"split", split, METH_VARARGS,
     "split(buffer, n) -> int: the end of the last complete record in buffer[:n], 0 if "
     "none (by quote parity)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_csvcore",
    "Optional CSV block parser of egovstudy.io.csv (see _csvcore.c).", -1, methods,
};

PyMODINIT_FUNC
PyInit__csvcore(void)
{
    return PyModule_Create(&module);
}
