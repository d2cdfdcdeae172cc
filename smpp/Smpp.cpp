#include "smpp/Smpp.hpp"
