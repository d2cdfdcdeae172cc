#include "storage/Storage.hpp"
