// storage/: SQLite persistence. (Placeholder header; the storage issue fills this layer.)
#pragma once
