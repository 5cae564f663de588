-- Where a latitude and longitude lie on the Ordnance Survey National Grid, in metres (easting, northing): a plane
-- on which straight-line distances across Great Britain are true to within a tenth of a percent, so distances
-- and nearest-first orders are plain geometry (the directory's search table indexes points on it).
--
-- The Transverse Mercator projection of the National Grid (Airy 1830 ellipsoid, true origin 49°N 2°W, scale
-- 0.9996012717, false origin -100 km north, 400 km east), as in the Ordnance Survey's "A guide to coordinate
-- systems in Great Britain". Postcode latitudes and longitudes are WGS84 and are projected without the
-- datum shift to OSGB36, which moves every point of a borough by the same ~100 m and so leaves the distances
-- between them as they are. market.places.models.Postcode keeps the result as generated columns.

CREATE OR REPLACE FUNCTION places_grid(p_latitude double precision, p_longitude double precision)
RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    a constant double precision := 6377563.396;
    b constant double precision := 6356256.909;
    f0 constant double precision := 0.9996012717;
    lat0 constant double precision := radians(49);
    lon0 constant double precision := radians(-2);
    n0 constant double precision := -100000;
    e0 constant double precision := 400000;
    e2 constant double precision := 1 - (b * b) / (a * a);
    n constant double precision := (a - b) / (a + b);
    lat double precision := radians(p_latitude);
    dlon double precision := radians(p_longitude) - lon0;
    s double precision := sin(lat);
    c double precision := cos(lat);
    t double precision := tan(lat);
    nu double precision := a * f0 / sqrt(1 - e2 * s * s);
    rho double precision := a * f0 * (1 - e2) / power(1 - e2 * s * s, 1.5);
    eta2 double precision := nu / rho - 1;
    m double precision;
BEGIN
    m := b * f0 * ((1 + n + 1.25 * n ^ 2 + 1.25 * n ^ 3) * (lat - lat0)
                   - (3 * n + 3 * n ^ 2 + 21.0 / 8 * n ^ 3) * sin(lat - lat0) * cos(lat + lat0)
                   + (15.0 / 8 * n ^ 2 + 15.0 / 8 * n ^ 3) * sin(2 * (lat - lat0)) * cos(2 * (lat + lat0))
                   - 35.0 / 24 * n ^ 3 * sin(3 * (lat - lat0)) * cos(3 * (lat + lat0)));
    RETURN ARRAY[
        e0 + nu * c * dlon
           + nu / 6 * c ^ 3 * (nu / rho - t ^ 2) * dlon ^ 3
           + nu / 120 * c ^ 5 * (5 - 18 * t ^ 2 + t ^ 4 + 14 * eta2 - 58 * t ^ 2 * eta2) * dlon ^ 5,
        m + n0
          + nu / 2 * s * c * dlon ^ 2
          + nu / 24 * s * c ^ 3 * (5 - t ^ 2 + 9 * eta2) * dlon ^ 4
          + nu / 720 * s * c ^ 5 * (61 - 58 * t ^ 2 + t ^ 4) * dlon ^ 6
    ];
END
$$;
