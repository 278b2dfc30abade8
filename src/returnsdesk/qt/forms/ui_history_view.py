# Generated from ui/history_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHeaderView, QLabel,
    QLineEdit, QSizePolicy, QTableView, QVBoxLayout,
    QWidget)

class Ui_HistoryView(object):
    def setupUi(self, HistoryView):
        if not HistoryView.objectName():
            HistoryView.setObjectName(u"HistoryView")
        HistoryView.resize(1200, 700)
        self.rootLayout = QVBoxLayout(HistoryView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.summary = QLabel(HistoryView)
        self.summary.setObjectName(u"summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        self.rootLayout.addWidget(self.summary)

        self.searchEdit = QLineEdit(HistoryView)
        self.searchEdit.setObjectName(u"searchEdit")
        self.searchEdit.setClearButtonEnabled(True)

        self.rootLayout.addWidget(self.searchEdit)

        self.table = QTableView(HistoryView)
        self.table.setObjectName(u"table")
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.rootLayout.addWidget(self.table)

        self.evidence = QLabel(HistoryView)
        self.evidence.setObjectName(u"evidence")
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setWordWrap(True)

        self.rootLayout.addWidget(self.evidence)

        self.evidenceStrip = QLabel(HistoryView)
        self.evidenceStrip.setObjectName(u"evidenceStrip")
        self.evidenceStrip.setTextFormat(Qt.TextFormat.PlainText)

        self.rootLayout.addWidget(self.evidenceStrip)

        self.labelsSlot = QVBoxLayout()
        self.labelsSlot.setObjectName(u"labelsSlot")
        self.labelsSlot.setContentsMargins(0, 0, 0, 0)

        self.rootLayout.addLayout(self.labelsSlot)

        QWidget.setTabOrder(self.searchEdit, self.table)

        self.retranslateUi(HistoryView)

        QMetaObject.connectSlotsByName(HistoryView)
    # setupUi

    def retranslateUi(self, HistoryView):
        self.summary.setText("")
        self.summary.setAccessibleName(QCoreApplication.translate("HistoryView", u"Today's summary", None))
        self.searchEdit.setPlaceholderText(QCoreApplication.translate("HistoryView", u"Search today's parcels: tracking, RMA, customer, status, label plate (scan it)", None))
        self.searchEdit.setAccessibleName(QCoreApplication.translate("HistoryView", u"Search today's parcels", None))
        self.table.setAccessibleName(QCoreApplication.translate("HistoryView", u"Today's parcels", None))
        self.evidence.setText(QCoreApplication.translate("HistoryView", u"Select a parcel to see its photos.", None))
        self.evidenceStrip.setText("")
        pass
    # retranslateUi
