-- apikey: the gateway's key check (etc/gateway/nginx.conf). A request passes
-- when its `apikey` header or its `Authorization: Bearer` token equals one of
-- the keys svd minted (the anon and service_role JWTs of services/gateway.yaml,
-- delivered as credential files); anything else gets 401. The upstream learns
-- the caller's role from X-Consumer-Username (anon or service_role, the header
-- Kong's key-auth sets for the same consumers in etc/kong/kong.yml; a client's
-- own header of that name is dropped first), and a request that only carried
-- `apikey` is passed on with `Authorization: Bearer KEY` as well, so PostgREST
-- and GoTrue see the same role.
local bit = require("bit")

local M = {}
local keys = {} -- role -> key, filled by load() in the master before fork

local FILES = { anon = "anon_key", service_role = "service_role_key" }

local function read_key(dir, file)
    local path = dir .. "/" .. file
    local f, err = io.open(path, "rb")
    if not f then
        error("gateway: cannot read key " .. path .. ": " .. tostring(err))
    end
    local v = f:read("*a")
    f:close()
    v = v:gsub("%s+$", "")
    if #v == 0 then
        error("gateway: key file " .. path .. " is empty")
    end
    return v
end

function M.load(dir)
    if not dir or dir == "" then
        error("gateway: CREDENTIALS_DIRECTORY is not set (run under svd with secrets: [anon_key, service_role_key])")
    end
    for role, file in pairs(FILES) do
        keys[role] = read_key(dir, file)
    end
end

-- Compares in time independent of where the strings differ.
local function same(a, b)
    if type(a) ~= "string" or #a ~= #b then
        return false
    end
    local d = 0
    for i = 1, #a do
        d = bit.bor(d, bit.bxor(a:byte(i), b:byte(i)))
    end
    return d == 0
end

local function role_of(candidate)
    local found = nil
    for role, key in pairs(keys) do
        if same(candidate, key) then
            found = role
        end
    end
    return found
end

-- A browser's CORS preflight (OPTIONS with Origin and
-- Access-Control-Request-Method) carries no key: it is answered here, before
-- the key check, as Kong's cors plugin does with its defaults. The actual
-- request then needs a key like any other (nginx.conf adds
-- Access-Control-Allow-Origin to every answer).
local function preflight()
    if ngx.req.get_method() ~= "OPTIONS" or not ngx.var.http_origin
        or not ngx.var.http_access_control_request_method then
        return false
    end
    ngx.header["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS"
    ngx.header["Access-Control-Allow-Headers"] = ngx.var.http_access_control_request_headers
        or "apikey, authorization, content-type"
    ngx.header["Access-Control-Max-Age"] = "3600"
    ngx.exit(ngx.HTTP_NO_CONTENT)
    return true
end

function M.check()
    if preflight() then
        return
    end
    ngx.req.clear_header("X-Consumer-Username")
    local h = ngx.req.get_headers()
    -- a repeated header arrives as a table: ambiguous, never a match
    local apikey = h["apikey"]
    local auth = h["authorization"]
    local bearer = type(auth) == "string" and auth:match("^[Bb]earer%s+(%S+)%s*$") or nil

    local role = role_of(apikey)
    if role then
        if auth == nil then
            ngx.req.set_header("Authorization", "Bearer " .. apikey)
        end
    else
        role = role_of(bearer)
    end
    if not role then
        ngx.header["WWW-Authenticate"] = 'Bearer realm="svd gateway"'
        ngx.status = ngx.HTTP_UNAUTHORIZED
        ngx.header["Content-Type"] = "application/json"
        ngx.say('{"error":"invalid or missing API key: send the anon or service key as apikey: or Authorization: Bearer"}')
        return ngx.exit(ngx.HTTP_UNAUTHORIZED)
    end
    ngx.req.set_header("X-Consumer-Username", role)
end

return M
