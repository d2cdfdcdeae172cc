#include "menus/Menus.hpp"
