"""The data the beacons service stores: Bluetooth beacons installed at sites."""

from dataclasses import dataclass
from typing import Any, Dict, Optional


class BeaconTypeV1:
    """The kinds of beacon the service knows."""

    Unknown = 'unknown'
    AltBeacon = 'altbeacon'
    iBeacon = 'ibeacon'
    EddyStone = 'eddystone'


@dataclass
class BeaconV1:
    """A beacon at a site.

    Stored as is by the memory persistence and as a JSON object with these fields by the file
    persistence, which turns the objects back into ``BeaconV1`` when it loads the file.

    :param id: the unique id; generated on create when ``None``.
    :param site_id: the id of the site the beacon is installed at.
    :param type: one of the :class:`BeaconTypeV1` values.
    :param udi: the unique device identifier the beacon broadcasts.
    :param label: a name people recognise the beacon by.
    :param center: where the beacon is, a GeoJSON point:
        ``{'type': 'Point', 'coordinates': [longitude, latitude]}``.
    :param radius: the reach of its signal, in meters.
    """

    id: Optional[str] = None
    site_id: Optional[str] = None
    type: str = BeaconTypeV1.Unknown
    udi: Optional[str] = None
    label: Optional[str] = None
    center: Optional[Dict[str, Any]] = None
    radius: float = 50.0
