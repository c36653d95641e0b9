// SQLite from Debian (libsqlite3-dev), for the function built without GRDB (see SessionFunction).
#include <sqlite3.h>
